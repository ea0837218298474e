/*
 * train_data.h - labelled glyph sets for training and evaluation, their
 * augmentation, and the grey-level entry points of glyph normalisation.
 *
 * Files (prefix rec_):
 *   rec_glyph.c    normalisation core (mask / grey / pix), speck removal
 *   rec_data.c     RecSet: Chars74K images and pen trajectories, IDX
 *                  (MNIST), CSV (path,char), class folders, Hershey fonts;
 *                  writer split; RecSource over a set
 *   rec_augment.c  on-the-fly augmentation drawn from a seed: affine,
 *                  elastic, stroke width, blur, paper, noise, then the
 *                  pipeline's binarisation
 *   rec_strokes.c  stroke fonts (.jhf) and the stroke renderer (rec_strokes.h)
 *   rec_ttf.c      outline fonts (TrueType/OpenType, via FreeType) rendered
 *                  to glyph pictures
 *
 * A RecSet holds every sample once, in memory, as a small ink-coverage crop
 * (images) or as pen strokes (trajectories, fonts). A RecSource built on a
 * set renders sample i afresh for every (i, seed): the same pair always gives
 * the same floats, so a training run is reproducible, and no augmented copy
 * is ever stored.
 *
 * Threading: a RecSet is read-only once built; RecSource.get may be called
 * from several threads at once.
 */
#ifndef INKPIPE_REC_DATA_H
#define INKPIPE_REC_DATA_H

#include <stdint.h>

#include "train/train_loop.h"
#include "recognize/recognize.h"

/* ---- writer ranges ---- */

#define REC_MAX_WRITER 999

/* A set of writer ids 0..REC_MAX_WRITER. */
typedef struct {
    uint8_t has[REC_MAX_WRITER + 1];
    int count;
} RecWriters;

/* Parse "041-045", "1,3,7-9", "" or "none" (empty set). Returns 0 or -1. */
int rec_writers_parse(const char *spec, RecWriters *w);
int rec_writers_has(const RecWriters *w, int writer);

/* ---- labelled sets ---- */

/* Where a sample came from (for statistics and per-kind augmentation). */
typedef enum {
    REC_KIND_IMAGE, /* a picture of one glyph (Chars74K, CSV, folders) */
    REC_KIND_IDX,   /* an IDX image (MNIST: white on black, inverted) */
    REC_KIND_TRAJ,  /* pen trajectory (Chars74K Trj .m files) */
    REC_KIND_FONT,  /* Hershey stroke-font glyph */
    REC_KIND_TTF    /* outline-font glyph rendered to a picture */
} RecSampleKind;
/* Number of RecSampleKind values. */
#define REC_NKINDS 5

typedef struct RecSet RecSet;

RecSet *rec_set_create(void);
void rec_set_destroy(RecSet **pset);

/* Which writers a loader keeps. NULL fields = no restriction. */
typedef struct {
    const RecWriters *only;    /* [optional] keep only these writers */
    const RecWriters *exclude; /* [optional] drop these writers */
    int repeat;                /* copies per epoch of each sample (>= 1) */
} RecLoadOptions;

void rec_load_options_init(RecLoadOptions *lo);

/* Chars74K EnglishHnd folder (Img/SampleNNN/imgNNN-SSS.png: class NNN-1,
 * writer SSS; Trj/SampleNNN/imgNNN_SSS.m). images / trajectories select
 * what is loaded. Returns the number of samples added, or -1. */
int rec_set_add_chars74k(RecSet *set, const char *dir, int images,
                         int trajectories, const RecLoadOptions *lo);
/* IDX images + labels (gzip or raw); samples [first, first+count) (count
 * < 0: to the end). Labels must be 0..9 (digits) or, with letters=1,
 * class indices 0..61. Images are white ink on black (MNIST) and are
 * inverted. Returns the number added, or -1. */
int rec_set_add_idx(RecSet *set, const char *images, const char *labels,
                    int first, int count, const RecLoadOptions *lo);
/* Number of images in an IDX image file, or -1. */
int rec_idx_count(const char *images);
/* CSV "path,char[,...]" (a header line is skipped; paths are relative to
 * the CSV's folder; a path of the form .../imgNNN-SSS.png gives writer SSS).
 * Returns the number added, or -1 with file:line. */
int rec_set_add_csv(RecSet *set, const char *csv, const RecLoadOptions *lo);
/* A folder with one sub-folder per class, named by the character ("A",
 * "a", "7") or "SampleNNN"; every image inside is a sample. Upper and lower
 * case folders may also be spelt "upper_A" / "lower_a" (for file systems
 * that ignore case). Returns the number added, or -1. */
int rec_set_add_dir(RecSet *set, const char *dir, const RecLoadOptions *lo);
/* Hershey fonts: every .jhf named in fonts (comma-separated base names;
 * NULL = REC_HERSHEY_FONTS) found in dir; one sample per font and class.
 * Returns the number added, or -1. */
#define REC_HERSHEY_FONTS                                                      \
    "scripts,scriptc,cursive,futural,futuram,rowmans,rowmand,timesr,timesi,"   \
    "timesrb,timesib"
int rec_set_add_hershey(RecSet *set, const char *dir, const char *fonts,
                        const RecLoadOptions *lo);
/* What rec_set_add_ttf() found (all counts summed over the fonts). */
typedef struct {
    int fonts;   /* font files read */
    int glyphs;  /* samples added */
    int missing; /* classes a font has no glyph for */
    int empty;   /* glyphs with an empty outline or no ink */
    int dup;     /* classes drawn with a glyph already used for another
                    class (caps-only fonts: 'a' drawn as 'A') */
    int caps;    /* lower-case glyphs skipped as small capitals */
    int dup_fonts; /* font files skipped: same family and style as one
                      read before from the same folder */
} RecTtfStats;
/* Outline fonts (TrueType / OpenType, rendered with FreeType): path is a
 * font file, or a folder whose *.ttf / *.otf files (not sub-folders) are
 * read in name order. Each font's glyph for each of the 62 classes is
 * rendered at REC_TTF_PX pixels per em to a grey picture and added as a
 * REC_KIND_TTF sample (writer -1); missing, empty and duplicate glyphs,
 * the lower case of fonts of (small) capitals and repeated fonts are
 * skipped and counted in stats [optional]. Returns the number added, or -1
 * (unreadable file or folder, a folder without fonts; message names it). */
#define REC_TTF_PX 80
int rec_set_add_ttf(RecSet *set, const char *path, const RecLoadOptions *lo,
                    RecTtfStats *stats);
/* One pen-trajectory file (Chars74K .m format); label given. */
int rec_set_add_trajectory(RecSet *set, const char *path, int label, int writer,
                           const RecLoadOptions *lo);
/* One glyph image (any PIX; dark ink on light paper). */
int rec_set_add_pix(RecSet *set, PIX *pix, int label, int writer,
                    RecSampleKind kind, const char *name,
                    const RecLoadOptions *lo);

/* Set the copies per epoch of every sample of one kind (>= 1). */
void rec_set_set_repeat(RecSet *set, RecSampleKind kind, int repeat);
/* Instead of repeats, draw quota samples of this kind per epoch, at random
 * with replacement (a different draw every epoch); 0 turns it off. For
 * balancing a large source (MNIST) against small ones. Returns 0 or -1. */
int rec_set_set_quota(RecSet *set, RecSampleKind kind, int quota);

/* Binary cache of a loaded set (samples as loaded, not the source files),
 * tagged with a key that says what was loaded: little-endian, versioned,
 * with a CRC (format in train_data.c). rec_set_load() returns NULL with an
 * error when the file is missing, damaged, of another format version (the
 * caller rebuilds it) or has another key. */
int rec_set_save(const RecSet *set, const char *path, const char *key);
RecSet *rec_set_load(const char *path, const char *key);

/* Shift the output biases of net (trained on one epoch's worth of set's
 * samples per epoch) by -log(class frequency), centred, so that classes
 * seen more often in training (digits: MNIST) gain no advantage at
 * inference: "logit adjustment" to equal class priors. Classes that set
 * never shows are left alone. Returns 0 or -1. */
int rec_set_balance_net(const RecSet *set, RecNet *net);
/* The inverse of rec_set_balance_net with the same set: the output biases
 * get the set's class priors back (before fine-tuning a balanced model on
 * it). 0, or -1 (message set). */
int rec_set_unbalance_net(const RecSet *set, RecNet *net);

int rec_set_count(const RecSet *set);
int rec_set_label(const RecSet *set, int i);
int rec_set_writer(const RecSet *set, int i); /* -1 when unknown */
RecSampleKind rec_set_kind(const RecSet *set, int i);
const char *rec_set_name(const RecSet *set, int i); /* file it came from */
/* The sample as inference sees it: the original image through
 * rec_glyph_normalize_pix(), or strokes rendered with the nominal pen and
 * no distortion. REC_INPUT_SIZE^2 floats owned by the set. */
const float *rec_set_input(const RecSet *set, int i);

/* ---- augmentation (rec_augment.c) ---- */

typedef struct {
    float rotate_deg;   /* max |rotation| (10) */
    float shear;        /* max |shear| (0.3) */
    float scale_aspect; /* max |log aspect change| (0.2) */
    float elastic;      /* elastic displacement, fraction of size (0.06) */
    float min_size, max_size; /* rendered glyph size in pixels (12, 64) */
    float width_var; /* stroke width change (0.5: threshold 0.25..0.75) */
    float blur_p;    /* probability of a blur (0.3) */
    float noise;     /* max noise sigma in grey levels (20) */
    float paper_min; /* darkest paper grey level (150) */
    float pen_min, pen_max; /* trajectory/font pen, fraction of the
                               glyph's nominal pen (0.3, 1.6) */
    float jitter;           /* stroke vertex jitter, fraction of size (0.01) */
} RecAugment;

void rec_augment_init(RecAugment *aug);

/* Render sample i of set with augmentation drawn from seed into dst
 * (REC_INPUT_SIZE^2 floats); aug NULL = rec_set_input(). Returns 0 or -1. */
int rec_set_render(const RecSet *set, int i, const RecAugment *aug,
                   uint64_t seed, float *dst);

/* A source over the set: sample k of the epoch is the set sample that k
 * falls on through the repeat counts, augmented with (seed, k) when aug is
 * not NULL. ctx is caller-owned storage that must outlive src, as must set
 * and aug. */
typedef struct {
    const RecSet *set;
    const RecAugment *aug;
} RecSetSource;

void rec_set_source(RecSetSource *ctx, const RecSet *set, const RecAugment *aug,
                    RecSource *src);

#endif
