/*
 * recognize.h - the glyph classifier: a small CNN in C over 62 classes.
 *
 * Files (prefix rec_):
 *   rec_net.c       RecNet create/destroy, load/save (magic, version, CRC)
 *   rec_forward.c   batched inference: im2col + cblas_sgemm, ReLU, pool,
 *                   softmax; scratch arena sized once per net
 *   rec_quant.c     int8 inference: quantised weights, per-sample u8
 *                   activations, the precision switch
 *   rec_qgemm.c     u8 x s8 GEMM (AVX-512 VNNI and AVX2 kernels, portable
 *                   reference)
 *   rec_train.c     backward pass, optimiser, training loop
 *   rec_data.c      labelled sets: folders, CSV, IDX; Chars74K trajectories
 *   rec_augment.c   on-the-fly augmentation
 *   rec_glyph.c     glyph normalisation shared by training and inference
 *   rec_charset.c   charset parsing and restriction
 *   rec_context.c   line context: case and look-alikes from line geometry
 *                   and neighbours
 *   rec_adapt.c     adaptation to the page's writer: each letter re-read
 *                   with the alike glyphs of its page and their words
 *
 * Threading: a RecNet owns its scratch memory, so one net per thread.
 * OpenBLAS runs with one thread per worker process; parallelism comes from
 * workers.
 */
#ifndef INKPIPE_RECOGNIZE_H
#define INKPIPE_RECOGNIZE_H

#include <stdint.h>
#include <leptonica/allheaders.h>

#define REC_NCLASSES 62
#define REC_INPUT_SIZE 32 /* network input is REC_INPUT_SIZE^2 floats */

/* "0123456789ABC...Zabc...z": class index -> character. */
extern const char rec_class_chars[REC_NCLASSES + 1];

/* Class index of an ASCII character, or -1. */
int rec_class_of_char(int c);

/* Set of allowed classes: bit c set = class c allowed. */
typedef uint64_t RecCharset;
#define REC_CHARSET_ALL ((RecCharset)((1ULL << REC_NCLASSES) - 1))
#define REC_CHARSET_DIGITS ((RecCharset)((1ULL << 10) - 1)) /* 0-9 */

/* Parse digits|upper|lower|alpha|alnum or a literal list of characters.
 * Returns 0, or -1 (message names the offending character). */
int rec_charset_parse(const char *spec, RecCharset *pset);

typedef struct RecNet RecNet;

RecNet *rec_net_load(const char *path);
int rec_net_save(const RecNet *net, const char *path);
void rec_net_destroy(RecNet **pnet);

/* Normalise one glyph for the network: crop to ink, scale with aspect kept,
 * centre in REC_INPUT_SIZE^2 floats (ink = 1). The same code serves training
 * and inference.
 *   rec_glyph_normalize_mask: 0/1 bytes (segment's glyph masks)
 *   rec_glyph_normalize_pix:  any PIX, any depth, dark ink on light paper,
 *                             any margin; binarised first.
 * Return 0, or -1 (e.g. no ink). */
int rec_glyph_normalize_mask(const unsigned char *mask, int w, int h,
                             int stride, float *dst);
int rec_glyph_normalize_pix(PIX *pix, float *dst);
/* The ink box's longer side, in network input pixels (of REC_INPUT_SIZE). */
#define REC_GLYPH_BOX 26
/* Components smaller than this fraction of the largest are specks. */
#define REC_GLYPH_SPECK_FRAC 0.02f
/* Grey images whose levels span less than this hold no ink. */
#define REC_GLYPH_MIN_CONTRAST 32
/* grey bytes (dark ink on light paper), any size -> dst. 0 or -1. */
int rec_glyph_normalize_grey(const unsigned char *grey, int w, int h,
                             int stride, float *dst);
/* Clear connected specks smaller than frac of the ink from a 0/1 mask.
 * Returns 0 or -1. */
int rec_glyph_drop_specks(unsigned char *mask, int w, int h, float frac);

/* Default architecture of rec_net_create: three conv (+ batch norm)
 * blocks, dropout, two dense layers; about 2.6 M multiply-adds per glyph.
 * (The bundled model is wider: see the Makefile's MODEL_ARCH.) */
#define REC_ARCH_DEFAULT "c16b,p,c32b,p,c64b,p,d0.25,f128,d0.25,f62"

/* New net of the given architecture ("" or NULL = the default), weights
 * drawn from seed. Returns NULL on a bad spec. */
RecNet *rec_net_create(const char *arch, uint64_t seed);

/* Accessors (rec_net.c). */
const char *rec_net_arch(const RecNet *net);
const char *rec_net_meta(const RecNet *net);      /* "" when none */
int rec_net_set_meta(RecNet *net, const char *meta); /* 0 or -1 */
double rec_net_flops(const RecNet *net);          /* per glyph, forward */
size_t rec_net_nparams(const RecNet *net);

/* Classify n normalised glyphs in batches (one sgemm per layer per batch).
 * probs (out): n x REC_NCLASSES, renormalised over the classes in cs (others
 * 0). Allocates nothing after the first call with a given batch size.
 * Returns 0 or -1. */
int rec_net_classify(RecNet *net, const float *inputs, int n, RecCharset cs,
                     float *probs);
/* The same, and feats (out, optional): n x rec_net_feature_dim() floats,
 * each glyph's penultimate-layer features (the last layer's input). */
int rec_net_classify_features(RecNet *net, const float *inputs, int n,
                              RecCharset cs, float *probs, float *feats);
int rec_net_feature_dim(const RecNet *net);

/* Inference precision. AUTO (the default): int8 where the CPU has AVX-512
 * VNNI or AVX2 and the model quantises, else fp32 (see docs/cnn.md); the
 * CPU check is made once per process. The library reads no environment:
 * the command line turns INKPIPE_PRECISION into the precision it sets on
 * the nets it loads. Training is always fp32. */
typedef enum {
    REC_PRECISION_AUTO = 0,
    REC_PRECISION_FP32,
    REC_PRECISION_INT8
} RecPrecision;

/* "auto", "fp32" or "int8". Returns 0, or -1 (message quotes the word). */
int rec_precision_parse(const char *s, RecPrecision *pp);
const char *rec_precision_name(RecPrecision p);
/* Returns 0, or -1 when int8 is asked for and the net cannot run it. */
int rec_net_set_precision(RecNet *net, RecPrecision p);
/* The precision classify uses now (FP32 or INT8, never AUTO). */
RecPrecision rec_net_precision(const RecNet *net);
/* Never choose the AVX-512 VNNI int8 kernel (AVX2 or portable instead), as
 * on a CPU without it; before the first classification. Process-wide. */
void rec_qgemm_skip_vnni(int skip);

#endif
