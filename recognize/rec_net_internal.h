/*
 * rec_net_internal.h - private layout of RecNet, shared by rec_net.c,
 * rec_forward.c, rec_train.c and the unit tests (prefix rec__).
 *
 * Activations use one layout everywhere: C x N x H x W (channel-major over
 * the whole batch), so a convolution over a batch is one sgemm
 * W[Cout][Cin*9] x col[Cin*9][N*H*W], and a dense layer is the same with
 * H = W = 1 (features x N). A FLAT layer transposes from C x N x HW to
 * (C*HW) x N where a dense layer follows a spatial one.
 *
 * All trainable parameters live in one float block (params), with the same
 * offsets in grads and in the optimiser moments, so the optimiser, the
 * best-weights snapshot and save walk one array. Batch-norm running
 * statistics live in a second block (stats). Scratch buffers for a batch
 * capacity are carved from one arena allocated by rec__net_reserve().
 */
#ifndef INKPIPE_REC_NET_INTERNAL_H
#define INKPIPE_REC_NET_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "recognize/recognize.h"

#define REC__MAX_LAYERS 64
#define REC__ARCH_MAX 256
#define REC__INFER_CHUNK 64 /* inference processes at most this many glyphs at once */
#define REC__QCHUNK 16      /* the same for int8: its im2col then stays in L2 */
#define REC__BN_EPS 1e-5f
#define REC__BN_MOMENTUM 0.1f

typedef enum {
    REC__CONV,  /* 3x3, pad 1, stride 1 */
    REC__BN,    /* per-channel batch normalisation */
    REC__RELU,
    REC__POOL,  /* 2x2 max, stride 2 */
    REC__DROP,  /* inverted dropout; identity at inference */
    REC__FLAT,  /* C x N x HW -> (C*HW) x N */
    REC__DENSE
} RecLayerType;

typedef struct {
    RecLayerType type;
    int cin, hin, win;    /* input shape per sample */
    int cout, hout, wout; /* output shape per sample */
    float p;              /* dropout probability */
    /* parameters: offsets into net->params / grads (conv, dense: W, b;
     * bn: gamma, beta); -1 when none */
    ptrdiff_t w_off, b_off;
    int nw, nb;
    ptrdiff_t s_off;      /* bn: running mean at s_off, var at s_off + C */
    /* scratch (carved from the arena) */
    float *out;           /* cout*hout*wout x cap, layout C x N x HW */
    float *dout;          /* gradient w.r.t. out (training only) */
    float *aux;           /* bn: x-hat; dropout: scaled mask (training) */
    float *bn_mean, *bn_invstd; /* bn: batch statistics (training) */
    float *col;           /* conv: this layer's im2col matrix, kept from the
                           * training forward for the backward pass */
} RecLayer;

struct RecNet {
    char arch[REC__ARCH_MAX];
    int nl;
    RecLayer l[REC__MAX_LAYERS];
    float norm_mean, norm_scale; /* input x -> (x - mean) * scale */
    char *meta;                  /* free text, owned, may be NULL */

    float *params, *grads, *adam_m, *adam_v; /* nparams each */
    size_t nparams;
    float *stats;                /* bn running statistics */
    size_t nstats;
    int64_t adam_t;

    /* scratch arena */
    float *arena;
    int cap;                     /* batch capacity of the buffers */
    int cap_train;               /* 1 if gradient buffers exist */
    int want_din;                /* backward also fills din (tests) */
    int chunk;                   /* inference chunk (REC__INFER_CHUNK) */
    float *in;                   /* normalised input, REC_INPUT_SIZE^2 x cap */
    float *din;                  /* gradient w.r.t. the input (tests) */
    float *col;                  /* im2col / dcol buffer */
    float *col2;
    float *logits_t;             /* N x classes */

    /* int8 inference (rec_quant.c); NULL until rec__quant_prepare() */
    struct RecQNet *q;
    int precision;               /* RecPrecision asked for (AUTO = 0) */
    /* rec__forward: the last dense layer's input (features x n), i.e. the
     * penultimate-layer features of the last chunk (rec_net_classify_features) */
    const float *feat_in;
};

/* rec_net.c */
int rec__net_reserve(RecNet *net, int cap, int train);
size_t rec__layer_flops(const RecLayer *l); /* multiply-adds x 2 per sample */

/* rec_forward.c */
double rec__sum(const float *x, size_t m);
double rec__sumsq(const float *x, size_t m, float c);
double rec__dot(const float *x, const float *y, size_t m);
void rec__im2col(const float *x, int c, int n, int h, int w, float *col);
void rec__col2im(const float *col, int c, int n, int h, int w, float *x);
/* Forward n <= cap samples (REC_INPUT_SIZE^2 each, sample-major). train:
 * batch statistics for bn, dropout masks drawn from seed. Returns the
 * logits, layout classes x n. */
const float *rec__forward(RecNet *net, const float *x, int n, int train,
                          uint64_t seed);
/* Input size of the last dense layer (the penultimate features). */
int rec__feature_dim(const RecNet *net);

/* rec_train.c */
/* Softmax cross-entropy of the last forward's logits with label
 * smoothing eps; writes d(loss)/d(logits) into the last layer's dout
 * when train. Returns the mean loss; *pcorrect counts argmax hits. */
float rec__loss(RecNet *net, const int *labels, int n, float eps, int train,
                int *pcorrect);
/* Backward through all layers after rec__loss; fills net->grads (zeroed
 * first) and net->din. */
void rec__backward(RecNet *net, int n);

/* rec_qgemm.c: C[m][n] = A[m][kp] (u8) x B[kp][n] (s8, packed) with the
 * requantising epilogue out = relu?(sum * wscale[col] * ascale[row /
 * rows_per_scale] + bias[col]) as floats; pool4: each group of 4 rows
 * becomes one output row holding the group's maximum (2x2 max-pool when
 * the rows come in pool order). */
typedef struct {
    int m, n, kp;              /* rows, columns, depth (multiple of 4) */
    const uint8_t *a;          /* round_up(m, 4) rows of lda bytes */
    size_t lda;
    const int8_t *b;           /* rec__qgemm_pack_b() layout */
    const float *wscale, *bias; /* n each */
    const float *ascale;       /* one per rows_per_scale rows */
    int rows_per_scale;
    int pool4, relu;
    float *out;                /* m (m / 4 with pool4) rows of ldo floats */
    size_t ldo;
    /* [optional] instead of a (then NULL): a 3x3 pad-1 convolution read
     * in place from its channels-last map, with the rows in pool order as
     * rec_quant.c's im2col makes them (pool4; kp = 9 x map_c). Sample s
     * is at map + s x map_ss, (map_h + 2) x (map_w + 2) x map_c bytes with
     * its zero border. Only where rec__qgemm_reads_map() says so. */
    const uint8_t *map;
    size_t map_ss;
    int map_c, map_h, map_w;
} RecQGemm;
size_t rec__qgemm_packed_size(int n, int kp);
void rec__qgemm_pack_b(const int8_t *w, int n, int k, int kp, int8_t *dst);
void rec__qgemm(const RecQGemm *g);
void rec__qgemm_ref(const RecQGemm *g);
int rec__qgemm_reads_map(int c);
/* The kernel rec__qgemm() runs (rec_qgemm.c): chosen once by CPU, or
 * forced for tests and benches. */
typedef enum {
    REC__QISA_AUTO = -1,    /* rec__qgemm_force_isa(): back to the CPU's best */
    REC__QISA_PORTABLE = 0, /* rec__qgemm_ref() */
    REC__QISA_AVX2,         /* vpmaddwd on operands widened to s16 */
    REC__QISA_VNNI          /* AVX-512 VNNI vpdpbusd */
} RecQIsa;
RecQIsa rec__qgemm_isa(void);
int rec__qgemm_force_isa(RecQIsa isa);
const char *rec__qgemm_isa_name(RecQIsa isa);
int rec__qgemm_vnni_available(void);

/* rec_quant.c: weights quantised once (per output channel s8), activations
 * u8 channels-last with one scale per sample (see the file header). */
typedef struct RecQNet RecQNet;
int rec__quant_prepare(RecNet *net);   /* 0, or -1 (not quantisable) */
void rec__quant_free(RecNet *net);
const void *rec__quant_arena(const RecNet *net);
/* Forward n glyphs through the int8 path; returns logits laid out
 * sample-major (n x REC_NCLASSES), or NULL (message set). */
const float *rec__quant_forward(RecNet *net, const float *x, int n);
/* The same; feat [optional]: n x rec__feature_dim() floats, the last
 * layer's input dequantised (in the int8 layout's order). */
const float *rec__quant_forward_feat(RecNet *net, const float *x, int n,
                                     float *feat);
/* Quantise one n x k float tensor row by row to s8 with a scale per row
 * (max |w| / 127; a zero row gets scale 1 and zeros). */
void rec__quant_rows(const float *w, int n, int k, int8_t *q, float *scale);

/* rec_glyph.c: Otsu threshold (ink is grey <= t) of a 256-bin histogram. */
int rec__glyph_otsu(const double *hist);
/* rec_glyph.c: grey bytes (w x h, row-major) of any PIX; 1 bpp ink -> 0.
 * Caller frees; NULL on error (message set). */
unsigned char *rec__pix_to_grey(PIX *pix, int *pw, int *ph);

#endif
