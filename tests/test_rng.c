/*
 * test_rng.c - lib/rng: the one PRNG gives splitmix64's published sequence
 * (so a seed names the same holdout everywhere), and rng_below stays below
 * its bound, is unbiased (a chi-square bound on a small bound, and a bound
 * where plain modulo would be off by half) and gives 0 for bound 1.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lib/rng.h"

/* splitmix64 (Steele, Lea, Flood 2014; Vigna's splitmix64.c) from seed
 * 1234567: the reference values published with the algorithm. */
static void test_known_sequence(void **state)
{
    static const uint64_t want[] = {
        UINT64_C(6457827717110365317), UINT64_C(3203168211198807973),
        UINT64_C(9817491932198370423), UINT64_C(4593380528125082431),
        UINT64_C(16408922859458223821),
    };
    uint64_t s = 1234567;
    (void)state;
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        assert_true(rng_next(&s) == want[i]);
    /* the state is a Weyl sequence: it moves by the golden gamma per draw */
    assert_true(s == UINT64_C(1234567) + 5 * UINT64_C(0x9E3779B97F4A7C15));

    s = 0;
    assert_true(rng_next(&s) == UINT64_C(0xe220a8397b1dcdaf));
}

static void test_seeds(void **state)
{
    uint64_t a = 42, b = 42, c = 43;
    int differ = 0;
    (void)state;
    for (int i = 0; i < 100; i++) {
        uint64_t x = rng_next(&a);
        assert_true(x == rng_next(&b));   /* same seed, same sequence */
        differ += x != rng_next(&c);
    }
    assert_int_equal(differ, 100);
}

static void test_below_bound_one(void **state)
{
    uint64_t s = 7;
    (void)state;
    for (int i = 0; i < 1000; i++)
        assert_true(rng_below(&s, 1) == 0);
}

static void test_below_stays_below(void **state)
{
    static const uint64_t bounds[] = {
        2, 3, 7, 10, 1000, 1u << 31, UINT64_C(1) << 32 | 1, (UINT64_C(1) << 63) + 1,
        UINT64_MAX - 1, UINT64_MAX,
    };
    uint64_t s = 99;
    (void)state;
    for (size_t b = 0; b < sizeof(bounds) / sizeof(bounds[0]); b++)
        for (int i = 0; i < 2000; i++)
            assert_true(rng_below(&s, bounds[b]) < bounds[b]);
}

/* A power-of-two bound never rejects: one draw each, its low bits. */
static void test_below_uses_one_draw(void **state)
{
    uint64_t s = 5, t = 5;
    (void)state;
    for (int i = 0; i < 1000; i++)
        assert_true(rng_below(&s, 16) == (rng_next(&t) & 15));
    assert_true(s == t);
}

/* Counts of 100,000 draws below 10 against the uniform expectation: with 9
 * degrees of freedom, chi-square exceeds 27.9 with probability 0.001; the
 * bound 40 is loose (the seed is fixed, so this never flakes). */
static void test_below_chi_square(void **state)
{
    enum { BOUND = 10, DRAWS = 100000 };
    long count[BOUND];
    uint64_t s = 1234567;
    double chi2 = 0, expect = (double)DRAWS / BOUND;
    (void)state;
    memset(count, 0, sizeof(count));
    for (int i = 0; i < DRAWS; i++)
        count[rng_below(&s, BOUND)]++;
    for (int v = 0; v < BOUND; v++)
        chi2 += (count[v] - expect) * (count[v] - expect) / expect;
    if (chi2 > 40)
        fail_msg("chi-square %.1f over %d values", chi2, BOUND);
}

/* bound = 3 * 2^62: r % bound would land in [0, 2^62) half the time (two
 * blocks of 2^64 map there); rejecting the short block makes it a third. */
static void test_below_unbiased_large_bound(void **state)
{
    const uint64_t bound = UINT64_C(3) << 62, low = UINT64_C(1) << 62;
    enum { DRAWS = 30000 };
    uint64_t s = 2024;
    long below = 0;
    (void)state;
    for (int i = 0; i < DRAWS; i++)
        below += rng_below(&s, bound) < low;
    double frac = (double)below / DRAWS;
    if (frac < 0.31 || frac > 0.36)
        fail_msg("%.4f of the draws below bound/3, expected 1/3", frac);
}

/* rng_sample: k distinct rows, ascending, the same for one seed, all of
 * them when k = n, none when k = 0, and each row about equally often. */
static void test_sample(void **state)
{
    size_t a[50], b[50], counts[100] = { 0 };
    (void)state;
    rng_sample(7, 100, 50, a);
    rng_sample(7, 100, 50, b);
    assert_memory_equal(a, b, sizeof(a));
    for (size_t i = 1; i < 50; i++)
        assert_true(a[i] > a[i - 1]);
    assert_true(a[49] < 100);
    rng_sample(8, 100, 50, b);
    assert_memory_not_equal(a, b, sizeof(a));
    rng_sample(1, 50, 50, a);
    for (size_t i = 0; i < 50; i++)
        assert_int_equal(a[i], i);
    a[0] = 99;
    rng_sample(1, 50, 0, a);
    assert_int_equal(a[0], 99);
    /* 2000 draws of 10 of 100: each row is expected 200 times (sd ~13.4). */
    for (uint64_t s = 0; s < 2000; s++) {
        rng_sample(s, 100, 10, a);
        for (size_t i = 0; i < 10; i++)
            counts[a[i]]++;
    }
    for (size_t i = 0; i < 100; i++)
        assert_in_range(counts[i], 140, 260);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_sequence),
        cmocka_unit_test(test_seeds),
        cmocka_unit_test(test_below_bound_one),
        cmocka_unit_test(test_below_stays_below),
        cmocka_unit_test(test_below_uses_one_draw),
        cmocka_unit_test(test_below_chi_square),
        cmocka_unit_test(test_below_unbiased_large_bound),
        cmocka_unit_test(test_sample),
    };
    return cmocka_run_group_tests_name("rng", tests, NULL, NULL);
}
