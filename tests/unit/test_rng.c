/*
 * test_rng.c - common/rng.h: splitmix64 and its recipes. The expected
 * values were printed by the copies these functions replaced
 * (recognize/rec_net.c rec__rng_*, train/train_data_int.h rec__dr_*,
 * train_augment.c fast_normal, tools/compose.c rng_*, tools/mkpage.c rnd)
 * at commit c19d268: a trained model and the composed test pages depend on
 * every bit of them, so they must never change.
 */
#include "common/rng.h"
#include "tests/unit/test.h"

#include <string.h>

/* Bitwise equality (also tells -0.0 from 0.0 and compares NaNs). */
static int same_f(float a, float b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

static int same_d(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

static void rng_next__reference_seeds__splitmix64_outputs(void)
{
    /* seed 0: the published splitmix64 reference sequence */
    static const uint64_t want0[3] = {0xe220a8397b1dcdafULL,
                                      0x6e789e6aa1b965f4ULL,
                                      0x06c45d188009454fULL};
    static const uint64_t want42[3] = {0xbdd732262feb6e95ULL,
                                       0x28efe333b266f103ULL,
                                       0x47526757130f9f52ULL};
    Rng r;
    rng_seed(&r, 0);
    for (int i = 0; i < 3; i++)
        CHECK(rng_next(&r) == want0[i]);
    Rng q = {42};
    for (int i = 0; i < 3; i++)
        CHECK(rng_next(&q) == want42[i]);
}

static void rng_seed__copy_of_state__forks_the_same_stream(void)
{
    Rng a;
    rng_seed(&a, 99);
    rng_next(&a);
    Rng b = a;
    for (int i = 0; i < 10; i++)
        CHECK(rng_next(&a) == rng_next(&b));
}

static void rng_uniform__seed_42__old_values_in_both_widths(void)
{
    static const float wantf[4] = {0x1.7bae64p-1f, 0x1.477f18p-3f,
                                   0x1.1d499cp-2f, 0x1.607384p-2f};
    static const double wantd[4] = {0x1.7bae644c5fd6dp-1, 0x1.477f199d93378p-3,
                                    0x1.1d499d5c4c3e6p-2, 0x1.607387fc392b8p-2};
    Rng r = {42}, q = {42};
    for (int i = 0; i < 4; i++) {
        CHECK(same_f(rng_uniform(&r), wantf[i]));
        CHECK(same_d(rng_uniform_d(&q), wantd[i]));
    }
}

static void rng_uniform__many_draws__inside_0_1(void)
{
    Rng r = {7};
    double sum = 0, sumd = 0;
    for (int i = 0; i < 100000; i++) {
        float u = rng_uniform(&r);
        double d = rng_uniform_d(&r);
        CHECK(u >= 0.0f && u < 1.0f);
        CHECK(d >= 0.0 && d < 1.0);
        sum += u;
        sumd += d;
    }
    CHECK_NEAR(sum / 100000, 0.5, 0.01);
    CHECK_NEAR(sumd / 100000, 0.5, 0.01);
}

static void rng_range__seed_42__old_values_in_both_widths(void)
{
    static const float wantf[4] = {0x1.775cc8p+1f, -0x1.b880e8p+0f,
                                   -0x1.8ad99p-1f, -0x1.f8c7cp-3f};
    static const double wantd[4] = {0x1.775cc898bfadap+1, -0x1.b880e6626cc88p+0,
                                    -0x1.8ad98a8ecf068p-1, -0x1.f8c7803c6d48p-3};
    Rng r = {42}, q = {42};
    for (int i = 0; i < 4; i++) {
        CHECK(same_f(rng_range(&r, -3.0f, 5.0f), wantf[i]));
        CHECK(same_d(rng_range_d(&q, -3.0, 5.0), wantd[i]));
    }
}

static void rng_int__seed_42__old_values_and_bounds(void)
{
    static const int want[6] = {1, 3, 1, 5, 5, 7};
    Rng r = {42};
    for (int i = 0; i < 6; i++)
        CHECK(rng_int(&r, 10) == want[i]);
    int seen[3] = {0};
    for (int i = 0; i < 3000; i++) {
        int v = rng_int(&r, 3);
        CHECK(v >= 0 && v < 3);
        if (v >= 0 && v < 3)
            seen[v]++;
    }
    CHECK(seen[0] > 800 && seen[1] > 800 && seen[2] > 800);
    CHECK(rng_int(&r, 1) == 0);
}

static void rng_int_in__seed_42__old_values_and_bounds(void)
{
    static const int want[6] = {1, -1, 6, 2, -2, 0};
    Rng r = {42};
    for (int i = 0; i < 6; i++)
        CHECK(rng_int_in(&r, -2, 7) == want[i]);
    for (int i = 0; i < 1000; i++) {
        int v = rng_int_in(&r, 5, 6);
        CHECK(v == 5 || v == 6);
    }
    CHECK(rng_int_in(&r, 4, 4) == 4);
}

static void rng_normal__seed_42__old_float_box_muller_values(void)
{
    static const float want[4] = {0x1.a8ac4ep-2f, -0x1.c8a53cp-1f,
                                  0x1.bac69ep+0f, 0x1.175b7ap-1f};
    Rng r = {42};
    for (int i = 0; i < 4; i++)
        CHECK(same_f(rng_normal(&r), want[i]));
}

static void rng_normal_fast__seed_42__old_sum_of_four_values(void)
{
    static const float want[4] = {-0x1.89307ap-1f, 0x1.301028p+0f,
                                  -0x1.1350aap+0f, 0x1.30b4b2p-2f};
    Rng r = {42};
    for (int i = 0; i < 4; i++)
        CHECK(same_f(rng_normal_fast(&r), want[i]));
}

static void rng_normal_d__seed_42__old_weight_init_values(void)
{
    /* rec_net.c returned the double rounded to float */
    static const float want[4] = {0x1.a8ac4cp-2f, -0x1.c8a55p-1f,
                                  0x1.bac69cp+0f, 0x1.175b9p-1f};
    Rng r = {42};
    for (int i = 0; i < 4; i++)
        CHECK(same_f((float)rng_normal_d(&r), want[i]));
}

static void rng_normal_d_clamp__seed_42__old_compose_values(void)
{
    static const double want[4] = {0x1.a8ac4b546f509p-2, -0x1.c8a54f4e91a7cp-1,
                                   0x1.bac69cd4142bfp+0, 0x1.175b8fd2de8bap-1};
    Rng r = {42};
    for (int i = 0; i < 4; i++)
        CHECK(same_d(rng_normal_d_clamp(&r), want[i]));
}

static void rng_normal__all_recipes__mean_0_sd_1(void)
{
    Rng r = {3};
    double s[4] = {0}, s2[4] = {0};
    const int n = 40000;
    for (int i = 0; i < n; i++) {
        double v[4] = {rng_normal(&r), rng_normal_fast(&r), rng_normal_d(&r),
                       rng_normal_d_clamp(&r)};
        for (int k = 0; k < 4; k++) {
            CHECK(isfinite(v[k]));
            s[k] += v[k];
            s2[k] += v[k] * v[k];
        }
    }
    for (int k = 0; k < 4; k++) {
        CHECK_NEAR(s[k] / n, 0.0, 0.03);
        CHECK_NEAR(sqrt(s2[k] / n - (s[k] / n) * (s[k] / n)), 1.0, 0.03);
    }
}

static void rng_mix__old_pairs__old_values_and_order_matters(void)
{
    CHECK(rng_mix(42, 7) == 0xf08aaefcec7303c2ULL);
    CHECK(rng_mix(7, 42) == 0xce16bef752ebd281ULL);
    CHECK(rng_mix2(42, 7) == 0x1dceb68a1771c478ULL);
    CHECK(rng_mix2(7, 42) == 0x71cc8382d4779d50ULL);
    /* mix2 is the stream's second value: the first is mix */
    Rng r = {42 ^ (7 * 0xD1B54A32D192ED03ULL)};
    CHECK(rng_next(&r) == rng_mix(42, 7));
    CHECK(rng_next(&r) == rng_mix2(42, 7));
}

static void rng_xorshift64__mkpage_seed__old_values(void)
{
    static const uint32_t want[4] = {784300994u, 1794491800u, 256174675u,
                                     3204998481u};
    uint64_t s = 88172645463325252ULL;
    for (int i = 0; i < 4; i++)
        CHECK(rng_xorshift64(&s) == want[i]);
}

int main(void)
{
    RUN(rng_next__reference_seeds__splitmix64_outputs);
    RUN(rng_seed__copy_of_state__forks_the_same_stream);
    RUN(rng_uniform__seed_42__old_values_in_both_widths);
    RUN(rng_uniform__many_draws__inside_0_1);
    RUN(rng_range__seed_42__old_values_in_both_widths);
    RUN(rng_int__seed_42__old_values_and_bounds);
    RUN(rng_int_in__seed_42__old_values_and_bounds);
    RUN(rng_normal__seed_42__old_float_box_muller_values);
    RUN(rng_normal_fast__seed_42__old_sum_of_four_values);
    RUN(rng_normal_d__seed_42__old_weight_init_values);
    RUN(rng_normal_d_clamp__seed_42__old_compose_values);
    RUN(rng_normal__all_recipes__mean_0_sd_1);
    RUN(rng_mix__old_pairs__old_values_and_order_matters);
    RUN(rng_xorshift64__mkpage_seed__old_values);
    TEST_EXIT();
}
