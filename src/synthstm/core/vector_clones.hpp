#pragma once
/// Loops compiled for AVX2 + FMA (and AVX-512 for the long loops, where it pays) and the
/// baseline, chosen at load time by the CPU (function multiversioning): wide vectors where the
/// machine has them, one portable binary.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define SYNTHSTM_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#define SYNTHSTM_LONG_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define SYNTHSTM_VECTOR_CLONES
#define SYNTHSTM_LONG_VECTOR_CLONES
#endif
