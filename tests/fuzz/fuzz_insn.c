/*
 * Fuzzing harness for the MMIO instruction decoder (kernel/insn.c,
 * insn_decode_mmio()), which reads bytes the guest chose at its RIP.
 * The first byte picks the mode (its value mod 3: 16-, 32-, 64-bit
 * code), the rest are the instruction's bytes as fetched, ending where
 * the input ends (AddressSanitizer sees a read past them).
 *
 * Invariants, checked on every input:
 *  - The answer is 0, -EINVAL or -EFAULT, and the same whatever room the
 *    reason has (none, 1 byte, 96).  A refusal gives a non-empty reason,
 *    NUL-terminated inside its buffer, and leaves *out alone; -EFAULT
 *    (truncated) only when fewer than 15 bytes were given.
 *  - An accepted access is 1 to 15 bytes long, within those given;
 *    decoding exactly its bytes gives the same, one byte fewer gives
 *    -EFAULT.  Its size is 1, 2, 4 or 8 (8 only in 64-bit mode), the
 *    register 0-15 (0-7 outside 64-bit mode), a high byte only of a
 *    byte access to registers 0-3, an immediate only in a store and
 *    within its size; a load writes 1, 2, 4 or 8 bytes, no fewer than
 *    it read, a store none.
 *  - insn_mmio_store_value() fits the size.  insn_mmio_load() puts the
 *    value's low size bytes in place and keeps or clears the rest as
 *    SDM 1 §3.4.1.1 says: bits above an 8- or 16-bit destination kept,
 *    above a 32-bit one cleared; a high byte changes bits 8-15 only.
 *
 * seed-* in tests/fuzz/corpus/insn are forms from tests/unit/test_insn.c.
 */
/* fuzz-sources: kernel/insn.c lib/format.c */
#include <string.h>

#include "kernel/insn.h"
#include "tests/fuzz/fuzz.h"

#define WHY_MAX 96

static u64 mask(u32 bytes)
{
	return bytes >= 8 ? ~0ull : (1ull << (8 * bytes)) - 1;
}

static bool size_ok(u32 s)
{
	return s == 1 || s == 2 || s == 4 || s == 8;
}

static bool same(const struct insn_mmio *a, const struct insn_mmio *b)
{
	return a->len == b->len && a->size == b->size && a->write == b->write &&
	       a->has_imm == b->has_imm && a->imm == b->imm && a->gpr == b->gpr &&
	       a->high8 == b->high8 && a->dest_size == b->dest_size;
}

static void check_access(const struct insn_mmio *m, const u8 *bytes, u32 n, enum insn_mode mode)
{
	struct insn_mmio again;
	const u64 old = 0x0123456789abcdefull, value = 0xfedcba9876543210ull;
	u64 got;

	FUZZ_CHECK(m->len >= 1 && m->len <= INSN_MAX && m->len <= n);
	FUZZ_CHECK(insn_decode_mmio(bytes, m->len, mode, &again, NULL, 0) == 0);
	FUZZ_CHECK(same(&again, m));
	FUZZ_CHECK(insn_decode_mmio(bytes, m->len - 1u, mode, &again, NULL, 0) == -EFAULT);

	FUZZ_CHECK(size_ok(m->size));
	FUZZ_CHECK(m->gpr < (mode == INSN_MODE64 ? 16 : 8));
	FUZZ_CHECK(mode == INSN_MODE64 || m->size < 8);
	FUZZ_CHECK(!m->high8 || (m->size == 1 && m->gpr < 4 && !m->has_imm));
	FUZZ_CHECK(!m->has_imm || m->write);
	FUZZ_CHECK((m->imm & ~mask(m->size)) == 0);
	if (m->write) {
		FUZZ_CHECK(m->dest_size == 0);
		FUZZ_CHECK((insn_mmio_store_value(m, value) & ~mask(m->size)) == 0);
		FUZZ_CHECK(insn_mmio_load(m, old, value) == old);
		return;
	}
	FUZZ_CHECK(size_ok(m->dest_size) && m->dest_size >= m->size);
	FUZZ_CHECK(mode == INSN_MODE64 || m->dest_size < 8);
	got = insn_mmio_load(m, old, value);
	if (m->high8) {
		FUZZ_CHECK(got == ((old & ~0xff00ull) | (value & 0xff) << 8));
		return;
	}
	FUZZ_CHECK((got & mask(m->dest_size)) == (value & mask(m->size)));
	if (m->dest_size <= 2)
		FUZZ_CHECK((got & ~mask(m->dest_size)) == (old & ~mask(m->dest_size)));
	else
		FUZZ_CHECK((got & ~mask(m->dest_size)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum insn_mode modes[] = { INSN_MODE16, INSN_MODE32, INSN_MODE64 };
	struct insn_mmio m, other;
	char why[WHY_MAX], tiny[1];
	enum insn_mode mode;
	const u8 *bytes;
	u32 n;
	int err;

	if (size < 1)
		return 0;
	mode = modes[data[0] % 3];
	bytes = data + 1;
	n = (u32)MIN(size - 1, 64u);

	memset(&m, 0x5a, sizeof(m));
	memset(why, 'x', sizeof(why));
	err = insn_decode_mmio(bytes, n, mode, &m, why, sizeof(why));
	FUZZ_CHECK(err == 0 || err == -EINVAL || err == -EFAULT);
	FUZZ_CHECK(memchr(why, '\0', sizeof(why)) != NULL);
	FUZZ_CHECK(insn_decode_mmio(bytes, n, mode, &other, NULL, 0) == err);
	FUZZ_CHECK(insn_decode_mmio(bytes, n, mode, &other, tiny, sizeof(tiny)) == err);
	FUZZ_CHECK(tiny[0] == '\0');
	if (err) {
		FUZZ_CHECK(why[0] != '\0');
		FUZZ_CHECK(err != -EFAULT || n < INSN_MAX);
		memset(&other, 0x5a, sizeof(other));
		FUZZ_CHECK(memcmp(&m, &other, sizeof(m)) == 0);
		return 0;
	}
	FUZZ_CHECK(why[0] == '\0');
	FUZZ_CHECK(same(&m, &other));
	check_access(&m, bytes, n, mode);
	return 0;
}
