/* Packed doc rows (segment format 5): the codec, and the cursor the kernels read runs with.
 *
 * A run (a term's tf >= 2 or tf = 1 postings, rows strictly increasing) is cut into blocks of
 * PACK_BLOCK postings, the last one possibly shorter. Each block has a skip entry, two uint32:
 * its first row and the byte offset of its deltas in the shared data. The deltas are the
 * block's other rows as gaps less one (rows are strictly increasing, so a gap is at least 1,
 * and a run of consecutive rows costs nothing), bit-packed little-endian at the block's width:
 * one header byte (the width, 0..31) then ceil((count - 1) * width / 8) bytes. A block of one
 * posting has no deltas and no header. The data ends with PACK_PAD zero bytes, so a decoder
 * may always load 8 bytes at a delta's byte.
 *
 * Format 7 (``first_bytes`` 3 or 4) keeps a skip entry only for the blocks of runs longer
 * than one block. A run of at most PACK_BLOCK postings is stored inline: its first row in
 * ``first_bytes`` little-endian bytes, then (two postings or more) the width byte and the
 * deltas as above. Such a run is found by its data offset, which is not stored per run: the
 * offsets of every 64th term's first run are (``run_offsets``), and the runs between are
 * walked (``pack_walk_run``): a run's bytes follow from its size and its width byte, a long
 * run's end from its last skip entry. At a million passages 477k of the 698k blocks are such
 * runs: 8 bytes of skip entry each against 3 bytes of first row.
 *
 * Decoding checks everything it reads against the sizes it was given: an offset past the
 * data, a width above 31 or rows past 2^31 - 1 make it return -1, and the caller raises.
 * Nothing here allocates; the cursor decodes into a buffer of PACK_BLOCK rows on the stack. */

#ifndef NEWSDESK_PACKED_ROWS_H
#define NEWSDESK_PACKED_ROWS_H

#include <stdint.h>
#include <string.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "packed rows are read with little-endian 64-bit loads"
#endif

#define PACK_BLOCK 128
#define PACK_SHIFT 7
#define PACK_PAD 8
#define PACK_MAX_WIDTH 31

#ifndef ALWAYS_INLINE
#define ALWAYS_INLINE static inline __attribute__((always_inline))
#endif

/* One run's rows: plain int32 (``plain`` set) or packed (its blocks' skip entries). */
typedef struct {
    const int32_t *plain;
    const uint8_t *data;   /* the segment's packed data, ``data_size`` bytes with the pad */
    int64_t data_size;
    const uint32_t *skips; /* the run's first block's entry: (first row, offset) pairs */
    int64_t size;          /* postings in the run */
    uint32_t own[2];       /* an inline run's entry (format 7; ``skips`` NULL): first row and
                            * the offset of its width byte */
} Rows;

ALWAYS_INLINE int64_t pack_blocks_of(int64_t size) {
    return (size + PACK_BLOCK - 1) >> PACK_SHIFT;
}

/* Bytes of a block's deltas after its header. */
ALWAYS_INLINE int64_t pack_delta_bytes(int64_t count, unsigned width) {
    return ((count - 1) * (int64_t)width + 7) >> 3;
}

#define PACK_CASE(W)                                                                   \
    case W:                                                                            \
        for (int64_t k = 1; k < count; k++) {                                          \
            uint64_t bit = (uint64_t)(k - 1) * W, word;                                \
            memcpy(&word, bytes + (bit >> 3), 8);                                      \
            row += (int64_t)((word >> (bit & 7)) & ((UINT64_C(1) << W) - 1)) + 1;       \
            out[k] = (int32_t)row;                                                     \
        }                                                                              \
        break;

/* GCC at -O2 leaves the unpacking loops rolled: compiled at -O3 (unrolled, the shifts
 * constant) a block decodes in about half the time, 1.2 against 2.3 ns a posting over the
 * 200 longest runs of a 1M index. Integer code only: no float operation is touched. */
#if defined(__GNUC__) && !defined(__clang__)
#define PACK_HOT __attribute__((optimize("O3")))
#else
#define PACK_HOT
#endif

/* Block ``i`` of a packed run into ``out``; its count, or -1 for damaged data. */
PACK_HOT static int64_t pack_decode_block(const Rows *run, int64_t i, int32_t *out) {
    int64_t count = run->size - (i << PACK_SHIFT);
    if (count > PACK_BLOCK) count = PACK_BLOCK;
    const uint32_t *entry = run->skips != NULL ? run->skips + 2 * i : run->own;
    uint32_t first = entry[0];
    if (first > INT32_MAX) return -1;
    out[0] = (int32_t)first;
    if (count == 1) return 1;
    int64_t offset = entry[1];
    if (offset >= run->data_size - PACK_PAD) return -1;
    unsigned width = run->data[offset];
    if (width > PACK_MAX_WIDTH || offset + 1 + pack_delta_bytes(count, width) >
                                       run->data_size - PACK_PAD)
        return -1;
    const uint8_t *bytes = run->data + offset + 1;
    int64_t row = first;
    switch (width) {
        case 0:
            for (int64_t k = 1; k < count; k++) out[k] = (int32_t)(row + k);
            row += count - 1;
            break;
            PACK_CASE(1) PACK_CASE(2) PACK_CASE(3) PACK_CASE(4) PACK_CASE(5) PACK_CASE(6)
            PACK_CASE(7) PACK_CASE(8) PACK_CASE(9) PACK_CASE(10) PACK_CASE(11) PACK_CASE(12)
            PACK_CASE(13) PACK_CASE(14) PACK_CASE(15) PACK_CASE(16) PACK_CASE(17)
            PACK_CASE(18) PACK_CASE(19) PACK_CASE(20) PACK_CASE(21) PACK_CASE(22)
            PACK_CASE(23) PACK_CASE(24) PACK_CASE(25) PACK_CASE(26) PACK_CASE(27)
            PACK_CASE(28) PACK_CASE(29) PACK_CASE(30) PACK_CASE(31)
        default:
            return -1;
    }
    return row > INT32_MAX ? -1 : count;
}

#undef PACK_CASE

/* Where the next run of a format-7 segment is: its first skip entry (if it has several
 * blocks) and its data offset (if it has one). */
typedef struct {
    int64_t skip;
    int64_t offset;
} RunPlace;

/* Bytes of a block of ``count`` postings whose header (when it has deltas) is at ``offset``,
 * or -1 for data past ``data_size`` (pad included) or a width above 31. */
ALWAYS_INLINE int64_t pack_block_bytes(const uint8_t *data, int64_t data_size, int64_t offset,
                                       int64_t count) {
    if (offset < 0 || offset > data_size - PACK_PAD) return -1;
    if (count <= 1) return 0;
    if (offset == data_size - PACK_PAD) return -1;
    unsigned width = data[offset];
    if (width > PACK_MAX_WIDTH) return -1;
    int64_t bytes = 1 + pack_delta_bytes(count, width);
    return offset + bytes > data_size - PACK_PAD ? -1 : bytes;
}

/* The format-7 run of ``size`` postings at ``*place`` into ``*out`` (when not NULL), and
 * ``place`` moved past it; -1 for damaged data (an offset, a width or a skip entry out of
 * range). ``first_bytes`` is 3 or 4. */
static inline int pack_walk_run(const uint8_t *data, int64_t data_size, const uint32_t *skips,
                                int64_t n_blocks, int first_bytes, int64_t size,
                                RunPlace *place, Rows *out) {
    if (size <= 0) return 0;
    if (size <= PACK_BLOCK) {
        int64_t at = place->offset;
        if (at < 0 || at + first_bytes > data_size - PACK_PAD) return -1;
        int64_t bytes = pack_block_bytes(data, data_size, at + first_bytes, size);
        if (bytes < 0) return -1;
        if (out != NULL) { /* the first row only when the run is read, not walked past */
            uint32_t first = 0;
            memcpy(&first, data + at, (size_t)first_bytes);
            out->skips = NULL;
            out->own[0] = first;
            out->own[1] = (uint32_t)(at + first_bytes);
        }
        place->offset = at + first_bytes + bytes;
        return 0;
    }
    int64_t blocks = pack_blocks_of(size);
    if (place->skip < 0 || blocks > n_blocks - place->skip) return -1;
    int64_t last = place->skip + blocks - 1;
    int64_t at = skips[2 * last + 1];
    int64_t bytes = pack_block_bytes(data, data_size, at, size - ((blocks - 1) << PACK_SHIFT));
    if (bytes < 0) return -1;
    if (out != NULL) out->skips = skips + 2 * place->skip;
    place->skip += blocks;
    place->offset = at + bytes;
    return 0;
}

/* Reads a run position by position, a block at a time: packed blocks are decoded into
 * ``buf`` when first reached, plain runs read in place. */
typedef struct {
    int64_t block;        /* the block ``rows`` holds, or -1 */
    const int32_t *rows;  /* its rows */
    int64_t count;        /* and how many */
    int32_t buf[PACK_BLOCK];
} Cursor;

ALWAYS_INLINE void cursor_init(Cursor *c) {
    c->block = -1;
    c->rows = NULL;
    c->count = 0;
}

/* Point the cursor at block ``i`` (0 <= i < blocks of the run); -1 for damaged data. */
ALWAYS_INLINE int cursor_load(const Rows *run, Cursor *c, int64_t i) {
    if (c->block == i) return 0;
    if (run->plain != NULL) {
        int64_t count = run->size - (i << PACK_SHIFT);
        c->rows = run->plain + (i << PACK_SHIFT);
        c->count = count > PACK_BLOCK ? PACK_BLOCK : count;
    } else {
        int64_t count = pack_decode_block(run, i, c->buf);
        if (count < 0) return -1;
        c->rows = c->buf;
        c->count = count;
    }
    c->block = i;
    return 0;
}

/* The row at position ``p`` (0 <= p < size) into ``*row``; -1 for damaged data. */
ALWAYS_INLINE int cursor_row(const Rows *run, Cursor *c, int64_t p, int32_t *row) {
    if (run->plain != NULL) {
        *row = run->plain[p];
        return 0;
    }
    if (cursor_load(run, c, p >> PACK_SHIFT) < 0) return -1;
    *row = c->rows[p & (PACK_BLOCK - 1)];
    return 0;
}

/* The first position at or after ``from`` whose row is >= ``key`` (``size`` when none), or
 * -1 for damaged data. Packed: a binary search of the blocks' first rows from ``from``'s
 * block on, then one decoded block; plain: a gallop from ``from``, then a binary search. */
static inline int64_t rows_lower_bound(const Rows *run, Cursor *c, int32_t key, int64_t from) {
    int64_t size = run->size;
    if (from >= size) return size;
    if (key < 0) return from; /* rows are never negative */
    if (run->plain != NULL) {
        const int32_t *rows = run->plain;
        if (rows[from] >= key) return from;
        /* gallop: rows[from + step / 2] < key, until rows[from + step] >= key or the end */
        int64_t step = 1;
        while (from + step < size && rows[from + step] < key) step <<= 1;
        int64_t first = from + (step >> 1) + 1, last = from + step < size ? from + step : size;
        while (first < last) {
            int64_t mid = (first + last) >> 1;
            if (rows[mid] < key)
                first = mid + 1;
            else
                last = mid;
        }
        return first;
    }
    int64_t blocks = pack_blocks_of(size);
    int64_t b = from >> PACK_SHIFT;
    /* the last block in b:blocks whose first row is <= key (b itself when none later is) */
    int64_t lo = b + 1, hi = blocks;
    const uint32_t *skips = run->skips;
    if (lo < hi && skips[2 * lo] <= (uint32_t)key) {
        /* gallop over the skip entries, then bisect */
        int64_t step = 1;
        while (lo + step < hi && skips[2 * (lo + step)] <= (uint32_t)key) step <<= 1;
        int64_t first = lo + (step >> 1) + 1, last = lo + step < hi ? lo + step : hi;
        while (first < last) {
            int64_t mid = (first + last) >> 1;
            if (skips[2 * mid] <= (uint32_t)key)
                first = mid + 1;
            else
                last = mid;
        }
        b = first - 1;
    }
    if (cursor_load(run, c, b) < 0) return -1;
    int64_t start = b << PACK_SHIFT;
    int64_t k = from > start ? from - start : 0;
    const int32_t *rows = c->rows;
    int64_t last = c->count;
    while (k < last) { /* the first k in k:last whose row is >= key */
        int64_t mid = (k + last) >> 1;
        if (rows[mid] < key)
            k = mid + 1;
        else
            last = mid;
    }
    return start + k;
}

/* Pack the runs ``bounds[r]:bounds[r + 1]`` of ``rows`` (each strictly increasing, rows >= 0)
 * into ``skips`` (a pair per block) and ``data`` (zeroed, large enough: see the caller),
 * offsets counted from ``offset_base``. With ``first_bytes`` (3 or 4: format 7) a run of one
 * block is written inline, without a skip entry, and the data offset where run
 * ``run_base + r`` starts is written to ``offsets[(run_base + r) >> 7]`` for every run index
 * that is a multiple of 128 (the first run of every 64th term; the end counts as a run),
 * ``n_offsets`` of them. Returns the bytes written, or -1 for a run that is not strictly
 * increasing or a negative row (or a first row past ``first_bytes``), -2 when the data would
 * pass ``data_size``, the skips ``n_skips`` blocks or the offsets ``n_offsets``, -3 for an
 * offset past 2^32 - 1. ``*blocks_out`` gets the skip entries written. */
static inline int64_t pack_runs(const int32_t *rows, const int64_t *bounds, int64_t n_runs,
                                uint8_t *data, int64_t data_size, uint32_t *skips,
                                int64_t n_skips, int64_t offset_base, int first_bytes,
                                int64_t run_base, int64_t *offsets, int64_t n_offsets,
                                int64_t *blocks_out) {
    int64_t used = 0, blocks = 0;
    for (int64_t r = 0; r <= n_runs; r++) {
        if (first_bytes && !((run_base + r) & 127)) {
            if (((run_base + r) >> 7) >= n_offsets) return -2;
            offsets[(run_base + r) >> 7] = offset_base + used;
        }
        if (r == n_runs) break;
        int64_t lo = bounds[r], hi = bounds[r + 1];
        int inline_run = first_bytes && hi - lo <= PACK_BLOCK;
        for (int64_t start = lo; start < hi; start += PACK_BLOCK) {
            int64_t count = hi - start < PACK_BLOCK ? hi - start : PACK_BLOCK;
            int32_t first = rows[start];
            if (first < 0) return -1;
            uint32_t widest = 0;
            for (int64_t k = 1; k < count; k++) {
                int64_t gap = (int64_t)rows[start + k] - rows[start + k - 1];
                if (gap < 1) return -1;
                widest |= (uint32_t)(gap - 1);
            }
            unsigned width = 0;
            while (width < 32 && (widest >> width) != 0) width++;
            if (offset_base + used > UINT32_MAX) return -3;
            if (inline_run) {
                if (first_bytes < 4 && ((uint32_t)first >> (8 * first_bytes)) != 0) return -1;
                if (used + first_bytes + PACK_PAD > data_size) return -2;
                uint32_t value = (uint32_t)first;
                memcpy(data + used, &value, (size_t)first_bytes);
                used += first_bytes;
                if (offset_base + used > UINT32_MAX) return -3;
            } else {
                if (blocks >= n_skips) return -2;
                skips[2 * blocks] = (uint32_t)first;
                skips[2 * blocks + 1] = (uint32_t)(offset_base + used);
                blocks++;
            }
            if (count == 1) continue;
            int64_t need = 1 + pack_delta_bytes(count, width);
            if (used + need + PACK_PAD > data_size) return -2;
            data[used] = (uint8_t)width;
            uint8_t *bytes = data + used + 1;
            for (int64_t k = 1; k < count && width; k++) {
                uint64_t value = (uint64_t)(rows[start + k] - rows[start + k - 1] - 1);
                uint64_t bit = (uint64_t)(k - 1) * width, word;
                memcpy(&word, bytes + (bit >> 3), 8);
                word |= value << (bit & 7);
                memcpy(bytes + (bit >> 3), &word, 8);
            }
            used += need;
        }
    }
    *blocks_out = blocks;
    return used;
}

#endif
