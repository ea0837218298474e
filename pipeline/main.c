/*
 * main.c - the inkpipe command line (placeholder until pipeline/ lands).
 */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    (void)argv;
    if (argc < 2) {
        fprintf(stderr, "usage: inkpipe COMMAND [ARGS]\n");
        return 2;
    }
    fprintf(stderr, "inkpipe: not built yet\n");
    return 2;
}
