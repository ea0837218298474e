/*
 * page_int.h - internals shared by the input/ files (not for other
 * layers).
 *
 * page_g4.c: a one-strip G4 TIFF around CCITT data, which page_g4.c
 * writes its pages as and page_pdf.c reads a PDF's CCITT images through.
 */
#ifndef INKPIPE_PAGE_INT_H
#define INKPIPE_PAGE_INT_H

#include <stddef.h>

unsigned char *page__g4_tiff(const unsigned char *strip, size_t len, int w,
                             int h, int photometric, int xres, int yres,
                             size_t *plen);

#endif
