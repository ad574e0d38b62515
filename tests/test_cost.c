/*
 * test_cost.c - the cost breakdown: "other" is what the phases leave of
 * the wall time (never negative), every phase becomes an attribute
 * cost_<phase>_s, and each phase has a name and a title.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out/cost.h"
#include "out/results.h"

static void test_attrs(void **state)
{
    struct cost c = { { 0 } };
    struct result_set rs;
    static const long ks[] = { 10 };
    (void)state;
    results_init(&rs, ks, 1);
    c.s[COST_LOAD] = 1;
    c.s[COST_TRAIN] = 2.5;
    c.s[COST_TIMED_SEARCH] = 4;
    cost_attrs(&c, 10, &rs);
    assert_true(c.s[COST_OTHER] == 2.5);
    assert_true(results_attr(&rs, "cost_load_s")->f == 1);
    assert_true(results_attr(&rs, "cost_train_s")->f == 2.5);
    assert_true(results_attr(&rs, "cost_timed_search_s")->f == 4);
    assert_true(results_attr(&rs, "cost_other_s")->f == 2.5);
    assert_true(results_attr(&rs, "cost_groundtruth_s")->f == 0);
    for (int p = 0; p < COST_NPHASES; p++) {
        char name[64];
        snprintf(name, sizeof(name), "cost_%s_s", cost_name((enum cost_phase)p));
        assert_non_null(results_attr(&rs, name));
    }
    /* Phases timed apart can add up past a wall read earlier: other is 0. */
    cost_attrs(&c, 5, &rs);
    assert_true(results_attr(&rs, "cost_other_s")->f == 0);
    results_release(&rs);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(cost_name(COST_GROUNDTRUTH), "groundtruth");
    assert_string_equal(cost_title(COST_GROUNDTRUTH), "ground truth");
    assert_string_equal(cost_name(COST_UNTIMED_SEARCH), "untimed_search");
    assert_string_equal(cost_title(COST_OTHER), "other");
    assert_string_equal(cost_name(COST_NPHASES), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_attrs),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
