/*
 * fuzz_job.c - libFuzzer target for the job-file loader (pipeline/job.c):
 * any bytes must give a Job or an error "FILE:LINE:COL: ...", never a
 * crash, a leak or undefined behaviour.
 *   make fuzz   (seeds: tests/fuzz/corpus/job/)
 */
#include <assert.h>
#include <stdint.h>

#include "common/err.h"
#include "pipeline/job.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[512];
    if (fuzz_to_file(data, size, ".yaml", path) < 0)
        return 0;
    Job *job = job_load(path);
    if (job) {
        assert(job->output_dir && job->n_inputs > 0 && job->spool);
        job_destroy(&job);
        assert(job == NULL);
    } else {
        /* every refusal names the file and a place in it */
        assert(strncmp(err_get(), path, strlen(path)) == 0);
    }
    unlink(path);
    return 0;
}
