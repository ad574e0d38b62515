/*
 * rules.c - the named sizing rules and presets (see rules.h): their names,
 * their formulas and the preset texts.
 */
#include "core/rules.h"

#include <math.h>
#include <string.h>

const char *const rule_nlist_names[] = { "rvc-2023-04", "rvc", NULL };
const enum nlist_kind rule_nlist_kinds[] = { NLIST_RULE_RVC_2023, NLIST_RULE_RVC };

long rule_nlist(enum nlist_kind kind, size_t N)
{
    long n39 = (long)(N / 39);
    long s16;

    switch (kind) {
    case NLIST_RULE_RVC_2023:
        /* RVC 2023-04: n_ivf = N // 39 */
        return n39;
    case NLIST_RULE_RVC:
        /* RVC: n_ivf = min(int(16 * np.sqrt(N)), N // 39) */
        s16 = (long)(16.0 * sqrt((double)N));
        return s16 < n39 ? s16 : n39;
    case NLIST_NONE:
    case NLIST_LIST:
    case NLIST_SQRT:
        break;
    }
    return 0;
}

long rule_nlist_sqrt(double m, size_t N)
{
    return lround(m * sqrt((double)N));
}

const char *const rule_nprobe_names[] = { "rvc-2023-04", "all", NULL };
const enum nprobe_kind rule_nprobe_kinds[] = { NPROBE_RULE_RVC_2023, NPROBE_RULE_ALL };

long rule_nprobe(enum nprobe_kind kind, long nlist)
{
    switch (kind) {
    case NPROBE_RULE_RVC_2023:
        /* RVC 2023-04: index_ivf.nprobe = int(np.power(n_ivf, 0.3)) */
        return (long)pow((double)nlist, 0.3);
    case NPROBE_RULE_ALL:
        return nlist;
    case NPROBE_UNSET:
    case NPROBE_LIST:
        break;
    }
    return 0;
}

const char *const rule_kmeans_names[] = { "rvc", NULL };

long rule_kmeans_rvc(size_t N)
{
    /* RVC: if big_npy.shape[0] > 2e5: MiniBatchKMeans(n_clusters=10000) */
    return N > RULE_RVC_KMEANS_ABOVE ? RULE_RVC_KMEANS_CLUSTERS : 0;
}

const char *const rule_preset_names[] = { "rvc-default", NULL };
static const char *const preset_texts[] = { RULE_PRESET_RVC_DEFAULT };

const char *rule_preset_yaml(const char *name)
{
    for (size_t i = 0; rule_preset_names[i]; i++)
        if (!strcmp(name, rule_preset_names[i]))
            return preset_texts[i];
    return NULL;
}
