/*
 * train_ttf.c - synthetic training glyphs from outline fonts (TrueType and
 * OpenType, e.g. Debian's handwriting fonts), rendered with FreeType.
 *
 * Design:
 *   - FreeType does the font work (cmap lookup, outline decoding, grey
 *     anti-aliased rasterising); writing a TrueType/CFF rasteriser is not
 *     this project's business, and FreeType is a well-kept library that
 *     every Linux distribution ships.
 *   - Each font's glyph for each of the 62 classes is rendered unhinted at
 *     REC_TTF_PX pixels per em to an 8-bit coverage bitmap, turned into a
 *     grey picture (dark ink on white paper, a small margin) and handed to
 *     rec_set_add_pix() as a REC_KIND_TTF sample. From there on it is a
 *     picture like a Chars74K scan: the augmentation (rec_augment.c)
 *     resamples it through affine + elastic maps, varies stroke width and
 *     paper, and binarises it as the pipeline does.
 *   - Skipped, not errors: a class the font has no glyph for (cmap gives
 *     glyph 0), a glyph with an empty outline or no ink after rendering, and
 *     a class whose glyph is the one already used for another class (fonts
 *     of capitals only map 'a' to the glyph of 'A'; training on that would
 *     teach the net that 'A' is lower case). A font file FreeType cannot
 *     read is an error naming the file: a training run with a broken input
 *     is a bug to fix.
 *   - Fonts of capitals whose lower-case slots hold (small) capitals (the
 *     glyphs differ, but after normalisation to the ink box 'a' is an 'A')
 *     would teach the same. Typography tells them apart: in a real lower
 *     case the ascender letters b d h k stand well above the x-height
 *     letters a e n u; a font whose b d h k are less than ASC_RATIO times
 *     as tall as its a e n u has its lower case skipped.
 *   - The same font twice in one folder (same family and style names, as
 *     fonts-breip's two files) is read once.
 *   - A folder is read in file-name order (its *.ttf / *.otf, any case), so
 *     a set, and a training run on it, is reproducible.
 *
 * Threading: one FT_Library per call; reentrant.
 */
#include "train/train_data.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_OUTLINE_H

#include "common/err.h"

/* Paper margin around a rendered glyph, in pixels. */
#define MARGIN 4
/* Ascender height over x-height below which a lower case is capitals. */
#define ASC_RATIO 1.15

/* Mean ink height (rendered pixels) of the letters in chars that were
 * rendered; 0 when none was. */
static double mean_height(PIX *const *pix, const char *chars)
{
    double sum = 0;
    int n = 0;
    for (const char *p = chars; *p; p++) {
        PIX *g = pix[rec_class_of_char(*p)];
        if (g) {
            sum += pixGetHeight(g) - 2 * MARGIN;
            n++;
        }
    }
    return n ? sum / n : 0.0;
}

static int is_font_name(const char *nm)
{
    size_t n = strlen(nm);
    return nm[0] != '.' && n > 4 &&
           (strcasecmp(nm + n - 4, ".ttf") == 0 ||
            strcasecmp(nm + n - 4, ".otf") == 0);
}

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* The rendered bitmap of slot as a grey PIX (ink dark), or NULL when it
 * holds no pixel of at least half coverage. */
static PIX *slot_to_pix(const FT_GlyphSlot slot)
{
    const FT_Bitmap *bm = &slot->bitmap;
    if (bm->pixel_mode != FT_PIXEL_MODE_GRAY || bm->width == 0 ||
        bm->rows == 0)
        return NULL;
    int w = (int)bm->width, h = (int)bm->rows, ink = 0;
    for (int y = 0; y < h && !ink; y++) {
        const unsigned char *row = bm->buffer + (ptrdiff_t)y * bm->pitch;
        for (int x = 0; x < w; x++)
            if (row[x] >= 128) {
                ink = 1;
                break;
            }
    }
    if (!ink)
        return NULL;
    PIX *pix = pixCreate(w + 2 * MARGIN, h + 2 * MARGIN, 8);
    if (!pix)
        return NULL;
    pixSetAllArbitrary(pix, 255);
    for (int y = 0; y < h; y++) {
        const unsigned char *row = bm->buffer + (ptrdiff_t)y * bm->pitch;
        for (int x = 0; x < w; x++)
            pixSetPixel(pix, x + MARGIN, y + MARGIN, 255u - row[x]);
    }
    return pix;
}

/**
 * Add the 62 classes of one outline font.
 *
 * @param[in,out] set    the set
 * @param[in]     lib    FreeType library handle
 * @param[in]     path   font file
 * @param[in]     lo     [optional] repeat
 * @param[in,out] st     counts to add to
 * @return samples added, or -1 (unreadable font; message names it)
 */
static int add_font(RecSet *set, FT_Library lib, const char *path,
                    const RecLoadOptions *lo, RecTtfStats *st, char *seen,
                    size_t seen_size)
{
    FT_Face face;
    FT_Error fe = FT_New_Face(lib, path, 0, &face);
    if (fe)
        return err_set("%s: not a font FreeType can read (FreeType error %d)",
                       path, (int)fe);
    if (!face->charmap || !FT_IS_SCALABLE(face)) {
        FT_Done_Face(face);
        return err_set("%s: no Unicode character map or not an outline font",
                       path);
    }
    if (seen) { /* "|family/style|" list of the fonts already read */
        char id[512];
        snprintf(id, sizeof id, "|%s/%s|",
                 face->family_name ? face->family_name : "?",
                 face->style_name ? face->style_name : "?");
        if (strstr(seen, id)) {
            FT_Done_Face(face);
            st->dup_fonts++;
            return 0;
        }
        if (strlen(seen) + strlen(id) < seen_size)
            strcat(seen, id);
    }
    if ((fe = FT_Set_Pixel_Sizes(face, 0, REC_TTF_PX))) {
        FT_Done_Face(face);
        return err_set("%s: cannot set the size (FreeType error %d)", path,
                       (int)fe);
    }
    st->fonts++;
    FT_UInt used[REC_NCLASSES];
    PIX *pix[REC_NCLASSES] = {NULL};
    int nused = 0, added = 0, rc = 0;
    /* pass 1: render every class that has a glyph of its own */
    for (int cls = 0; cls < REC_NCLASSES && rc == 0; cls++) {
        char c = rec_class_chars[cls];
        FT_UInt gi = FT_Get_Char_Index(face, (FT_ULong)(unsigned char)c);
        if (gi == 0) {
            st->missing++;
            continue;
        }
        int dup = 0;
        for (int k = 0; k < nused; k++)
            dup |= used[k] == gi;
        if (dup) {
            st->dup++;
            continue;
        }
        used[nused++] = gi;
        fe = FT_Load_Glyph(face, gi, FT_LOAD_NO_HINTING | FT_LOAD_NO_BITMAP);
        if (fe) {
            rc = err_set("%s: glyph '%c': FreeType error %d", path, c,
                         (int)fe);
            break;
        }
        FT_GlyphSlot slot = face->glyph;
        if (slot->format != FT_GLYPH_FORMAT_OUTLINE ||
            slot->outline.n_contours <= 0 || slot->outline.n_points <= 0) {
            st->empty++;
            continue;
        }
        if ((fe = FT_Render_Glyph(slot, FT_RENDER_MODE_NORMAL))) {
            rc = err_set("%s: glyph '%c': cannot render (FreeType error %d)",
                         path, c, (int)fe);
            break;
        }
        if (!(pix[cls] = slot_to_pix(slot)))
            st->empty++;
    }
    /* small capitals in the lower-case slots? */
    if (rc == 0) {
        double asc = mean_height(pix, "bdhk"), xh = mean_height(pix, "aenu");
        if (asc > 0 && xh > 0 && asc < ASC_RATIO * xh)
            for (int cls = 0; cls < REC_NCLASSES; cls++) {
                char c = rec_class_chars[cls];
                if (c >= 'a' && c <= 'z' && pix[cls]) {
                    pixDestroy(&pix[cls]);
                    st->caps++;
                }
            }
    }
    /* pass 2: add what is left */
    for (int cls = 0; cls < REC_NCLASSES; cls++) {
        if (rc == 0 && pix[cls]) {
            char name[4200];
            snprintf(name, sizeof name, "%s:%c", path,
                     rec_class_chars[cls]);
            if (rec_set_add_pix(set, pix[cls], cls, -1, REC_KIND_TTF, name,
                                lo) < 0)
                rc = -1;
            else
                added++;
        }
        pixDestroy(&pix[cls]);
    }
    if (rc) {
        FT_Done_Face(face);
        return -1;
    }
    FT_Done_Face(face);
    st->glyphs += added;
    return added;
}

/**
 * Add synthetic glyphs rendered from outline fonts.
 *
 * @param[in,out] set    the set
 * @param[in]     path   a .ttf/.otf file, or a folder of them
 * @param[in]     lo     [optional] repeat (writer filters do not apply:
 *                       font glyphs have writer -1)
 * @param[out]    stats  [optional] fonts read, glyphs added and skipped;
 *                       counts are added to what it holds
 * @return samples added, or -1 (path missing, a folder without .ttf/.otf
 *         files, a file FreeType cannot read; message names the file)
 *
 * Notes:
 *   (1) A file given by name is read whatever its extension; in a folder
 *       only *.ttf / *.otf are, and sub-folders are not entered.
 *   (2) Glyph look-alikes follow typography, not handwriting (a font's
 *       '0' and 'O', 'l' and 'I' may be identical); they are kept, as the
 *       same shapes occur in print-like handwriting.
 */
int rec_set_add_ttf(RecSet *set, const char *path, const RecLoadOptions *lo,
                    RecTtfStats *stats)
{
    RecTtfStats local;
    memset(&local, 0, sizeof local);
    struct stat sb;
    if (stat(path, &sb) != 0)
        return err_set_errno("%s", path);
    FT_Library lib;
    FT_Error fe = FT_Init_FreeType(&lib);
    if (fe)
        return err_set("%s: FreeType initialisation failed (error %d)", path,
                       (int)fe);
    int added = 0, rc = 0;
    if (!S_ISDIR(sb.st_mode)) {
        added = add_font(set, lib, path, lo, &local, NULL, 0);
        rc = added < 0;
    } else {
        struct dirent **ents = NULL;
        int n = scandir(path, &ents, NULL, name_cmp);
        if (n < 0) {
            FT_Done_FreeType(lib);
            return err_set_errno("%s", path);
        }
        int nfont = 0;
        char seen[8192] = "";
        for (int e = 0; e < n; e++) {
            if (rc == 0 && is_font_name(ents[e]->d_name)) {
                char fp[4200];
                snprintf(fp, sizeof fp, "%s/%s", path, ents[e]->d_name);
                struct stat fb;
                if (stat(fp, &fb) == 0 && S_ISREG(fb.st_mode)) {
                    nfont++;
                    int a = add_font(set, lib, fp, lo, &local, seen,
                                     sizeof seen);
                    if (a < 0)
                        rc = 1;
                    else
                        added += a;
                }
            }
            free(ents[e]);
        }
        free(ents);
        if (rc == 0 && nfont == 0)
            rc = err_set("%s: no .ttf or .otf font files in this folder",
                         path) != 0;
    }
    FT_Done_FreeType(lib);
    if (stats) {
        stats->fonts += local.fonts;
        stats->glyphs += local.glyphs;
        stats->missing += local.missing;
        stats->empty += local.empty;
        stats->dup += local.dup;
        stats->caps += local.caps;
        stats->dup_fonts += local.dup_fonts;
    }
    return rc ? -1 : added;
}
