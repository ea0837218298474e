/*
 * form_int.h - internal to forms/: the field reader shared by the template
 * reader (form_read.c) and the finder (form_find.c).
 */
#ifndef INKPIPE_FORM_INT_H
#define INKPIPE_FORM_INT_H

#include "forms/forms.h"

/* Read the field f whose printed box is *box on the upright page up
 * (docs at the definition, form_read.c). t may be NULL. 0 or -1. */
int form__read_box(const FormField *f, const FormTemplate *t, int fi,
                   const ChainOptions *o, RecNet *net, PIX *up,
                   const OutBox *box, int dpi, const OutPage *op, OutField *of);

/* One printed line read by Tesseract (form_tess.c): *ptext owned, NULL
 * when nothing was read. 0 or -1. */
int form__tess_read(PIX *crop, int dpi, const char *langs, char **ptext);

/* A value found without a template made digits where it reads as digits
 * misread as letters (form_find.c). */
void form__digit_lookalikes(OutField *of);

#endif
