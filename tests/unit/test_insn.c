/*
 * Unit tests of kernel/insn.c: the length of an exiting instruction
 * with the prefixes a guest may put before it, REX only in 64-bit mode,
 * the 15-byte limit, and bytes that are not the opcode the exit named;
 * the control-register writes; and the MMIO decoder: each accepted MOV
 * and MOVZX form in 16-, 32- and 64-bit code with its length, size,
 * register and immediate, the refusals with their reasons, and how a
 * load changes the register and what a store writes.
 */
/* unit-sources: kernel/insn.c */
#include "tests/unit/unit.h"

#include <string.h>

#include "kernel/insn.h"

static const u8 cpuid_op[] = { 0x0f, 0xa2 };
static const u8 hlt_op[] = { 0xf4 };
static const u8 vmmcall_op[] = { 0x0f, 0x01, 0xd9 };

static void test_plain(void **state)
{
	const u8 b[] = { 0x0f, 0xa2, 0x90, 0x90 };
	(void)state;
	assert_int_equal(insn_length(b, sizeof(b), false, cpuid_op, 2), 2);
	assert_int_equal(insn_length(b, sizeof(b), true, cpuid_op, 2), 2);
}

static void test_legacy_prefixes(void **state)
{
	const u8 b[] = { 0x66, 0xf3, 0x2e, 0x0f, 0xa2 };
	const u8 h[] = { 0x3e, 0xf4 };
	const u8 v[] = { 0x67, 0x0f, 0x01, 0xd9 };
	(void)state;
	assert_int_equal(insn_length(b, sizeof(b), false, cpuid_op, 2), 5);
	assert_int_equal(insn_length(h, sizeof(h), false, hlt_op, 1), 2);
	assert_int_equal(insn_length(v, sizeof(v), false, vmmcall_op, 3), 4);
}

static void test_rex(void **state)
{
	const u8 b[] = { 0x66, 0x48, 0x0f, 0xa2 };
	(void)state;
	/* REX in 64-bit mode; outside it 0x48 is DEC EAX, not a prefix. */
	assert_int_equal(insn_length(b, sizeof(b), true, cpuid_op, 2), 4);
	assert_int_equal(insn_length(b, sizeof(b), false, cpuid_op, 2), 0);
}

static void test_limits(void **state)
{
	u8 b[20];
	(void)state;
	/* 13 prefixes and a 2-byte opcode: 15 bytes, the most there can be. */
	for (int i = 0; i < 13; i++)
		b[i] = 0x66;
	b[13] = 0x0f, b[14] = 0xa2;
	assert_int_equal(insn_length(b, 15, false, cpuid_op, 2), 15);
	/* One more prefix: not an instruction the CPU ran. */
	for (int i = 0; i < 14; i++)
		b[i] = 0x66;
	b[14] = 0x0f, b[15] = 0xa2;
	assert_int_equal(insn_length(b, 16, false, cpuid_op, 2), 0);
	/* The bytes end before the opcode does. */
	assert_int_equal(insn_length(b, 14, false, cpuid_op, 2), 0);
}

static void test_other_opcode(void **state)
{
	const u8 b[] = { 0x66, 0x0f, 0x31 }; /* RDTSC, not CPUID */
	(void)state;
	assert_int_equal(insn_length(b, sizeof(b), false, cpuid_op, 2), 0);
}

static void test_cr_write(void **state)
{
	const u8 cr4_edx[] = { 0x0f, 0x22, 0xe2 };	      /* mov %edx, %cr4 */
	const u8 cr4_r9[] = { 0x66, 0x41, 0x0f, 0x22, 0xe1 }; /* mov %r9, %cr4 (REX.B) */
	const u8 cr8_rax[] = { 0x44, 0x0f, 0x22, 0xc0 };      /* mov %rax, %cr8 (REX.R) */
	const u8 not_mov[] = { 0x0f, 0x20, 0xe0 };	      /* mov %cr4, %eax: a read */
	const u8 clts[] = { 0x0f, 0x06 };
	const u8 lmsw_ax[] = { 0x0f, 0x01, 0xf0 };  /* lmsw %ax */
	const u8 lmsw_mem[] = { 0x0f, 0x01, 0x30 }; /* lmsw (%eax): not decoded */
	const u8 smsw_ax[] = { 0x0f, 0x01, 0xe0 };  /* smsw %ax: /4, not a write */
	struct insn_cr c = { 99, 99, 99 };
	(void)state;

	assert_int_equal(insn_cr_write(cr4_edx, sizeof(cr4_edx), false, &c), 3);
	assert_int_equal(c.kind, INSN_MOV_TO_CR);
	assert_int_equal(c.cr, 4);
	assert_int_equal(c.gpr, 2);
	assert_int_equal(insn_cr_write(cr4_r9, sizeof(cr4_r9), true, &c), 5);
	assert_int_equal(c.cr, 4);
	assert_int_equal(c.gpr, 9);
	assert_int_equal(insn_cr_write(cr8_rax, sizeof(cr8_rax), true, &c), 4);
	assert_int_equal(c.cr, 8);
	assert_int_equal(c.gpr, 0);
	assert_int_equal(insn_cr_write(not_mov, sizeof(not_mov), false, &c), 0);
	/* Outside 64-bit mode 0x41 is INC ECX, not a REX prefix. */
	assert_int_equal(insn_cr_write(cr4_r9, sizeof(cr4_r9), false, &c), 0);
	assert_int_equal(insn_cr_write(clts, sizeof(clts), false, &c), 2);
	assert_int_equal(c.kind, INSN_CLTS);
	assert_int_equal(insn_cr_write(lmsw_ax, sizeof(lmsw_ax), false, &c), 3);
	assert_int_equal(c.kind, INSN_LMSW);
	assert_int_equal(c.gpr, 0);
	assert_int_equal(insn_cr_write(lmsw_mem, sizeof(lmsw_mem), false, &c), 0);
	assert_int_equal(insn_cr_write(smsw_ax, sizeof(smsw_ax), false, &c), 0);
}

/* ---- MMIO ------------------------------------------------------------------- */

#define M16 INSN_MODE16
#define M32 INSN_MODE32
#define M64 INSN_MODE64

/* bytes and their count, for decode() and refused() */
#define B(...) (const u8[]){ __VA_ARGS__ }, sizeof((const u8[]){ __VA_ARGS__ })

static void expect(struct insn_mmio got, struct insn_mmio want)
{
	assert_int_equal(got.len, want.len);
	assert_int_equal(got.size, want.size);
	assert_int_equal(got.write, want.write);
	assert_int_equal(got.has_imm, want.has_imm);
	assert_int_equal(got.imm, want.imm);
	assert_int_equal(got.gpr, want.gpr);
	assert_int_equal(got.high8, want.high8);
	assert_int_equal(got.dest_size, want.dest_size);
}

/*
 * The accepted decoding of b[0..n); and, as the length says, the same
 * with exactly len bytes, and "truncated" with one fewer.
 */
static struct insn_mmio decode(enum insn_mode mode, const u8 *b, u32 n)
{
	struct insn_mmio m, again;
	char why[96] = "unset";
	int err = insn_decode_mmio(b, n, mode, &m, why, sizeof(why));

	if (err)
		print_message("refused: %s\n", why);
	assert_int_equal(err, 0);
	assert_string_equal(why, "");
	assert_in_range(m.len, 1, n);
	assert_int_equal(insn_decode_mmio(b, m.len, mode, &again, why, sizeof(why)), 0);
	expect(again, m);
	assert_int_equal(insn_decode_mmio(b, m.len - 1u, mode, &again, why, sizeof(why)), -EFAULT);
	return m;
}

/* b[0..n) is refused with err and exactly this reason, and *out is left alone. */
static void refused(enum insn_mode mode, const u8 *b, u32 n, int err, const char *reason)
{
	struct insn_mmio m, before;
	char why[96] = "unset";

	memset(&m, 0x5a, sizeof(m));
	memset(&before, 0x5a, sizeof(before));
	assert_int_equal(insn_decode_mmio(b, n, mode, &m, why, sizeof(why)), err);
	assert_string_equal(why, reason);
	assert_memory_equal(&m, &before, sizeof(m));
}

#define STORE(l, s, r) ((struct insn_mmio){ .len = l, .size = s, .write = true, .gpr = r })
#define LOAD(l, s, r, d) ((struct insn_mmio){ .len = l, .size = s, .gpr = r, .dest_size = d })
#define IMM(l, s, v)                                                                               \
	((struct insn_mmio){ .len = l, .size = s, .write = true, .has_imm = true, .imm = v })

/* 89 /r: a store of a register, 32 bits by default in 64-bit code. */
static void test_mmio_store_64(void **state)
{
	(void)state;
	expect(decode(M64, B(0x89, 0x08)), STORE(2, 4, 1));	  /* mov %ecx,(%rax) */
	expect(decode(M64, B(0x89, 0x3e)), STORE(2, 4, 7));	  /* mov %edi,(%rsi) */
	expect(decode(M64, B(0x89, 0x08, 0x90)), STORE(2, 4, 1)); /* more bytes than needed */
}

static void test_mmio_rex_w(void **state)
{
	(void)state;
	expect(decode(M64, B(0x48, 0x89, 0x08)), STORE(3, 8, 1));   /* mov %rcx,(%rax) */
	expect(decode(M64, B(0x48, 0x8b, 0x07)), LOAD(3, 8, 0, 8)); /* mov (%rdi),%rax */
}

static void test_mmio_rex_r(void **state)
{
	(void)state;
	expect(decode(M64, B(0x44, 0x89, 0x08)), STORE(3, 4, 9));    /* mov %r9d,(%rax) */
	expect(decode(M64, B(0x4c, 0x8b, 0x3f)), LOAD(3, 8, 15, 8)); /* mov (%rdi),%r15 */
}

/* REX.B and REX.X choose base and index; the length does not change. */
static void test_mmio_rex_b_x(void **state)
{
	(void)state;
	expect(decode(M64, B(0x41, 0x89, 0x00)), STORE(3, 4, 0)); /* mov %eax,(%r8) */
	/* mov %ecx,(%r8,%r9,1) */
	expect(decode(M64, B(0x43, 0x89, 0x0c, 0x08)), STORE(4, 4, 1));
}

/* SDM 2 table 2-5: r12 needs a SIB as rsp does, r13 a displacement as rbp does. */
static void test_mmio_r12_r13(void **state)
{
	(void)state;
	expect(decode(M64, B(0x41, 0x89, 0x04, 0x24)), STORE(4, 4, 0)); /* mov %eax,(%r12) */
	expect(decode(M64, B(0x41, 0x89, 0x45, 0x00)), STORE(4, 4, 0)); /* mov %eax,0(%r13) */
	/* mod 0, r/m 5 with REX.B is still RIP-relative: disp32 */
	expect(decode(M64, B(0x41, 0x89, 0x05, 1, 2, 3, 4)), STORE(7, 4, 0));
}

static void test_mmio_disp8(void **state)
{
	(void)state;
	expect(decode(M64, B(0x89, 0x48, 0x10)), STORE(3, 4, 1));   /* mov %ecx,0x10(%rax) */
	expect(decode(M64, B(0x8b, 0x47, 0xf0)), LOAD(3, 4, 0, 4)); /* mov -0x10(%rdi),%eax */
}

static void test_mmio_disp32(void **state)
{
	(void)state;
	/* mov %ecx,0xb0(%rax) */
	expect(decode(M64, B(0x89, 0x88, 0xb0, 0x00, 0x00, 0x00)), STORE(6, 4, 1));
	/* mov 0x330(%rdi),%eax */
	expect(decode(M64, B(0x8b, 0x87, 0x30, 0x03, 0x00, 0x00)), LOAD(6, 4, 0, 4));
}

static void test_mmio_sib(void **state)
{
	(void)state;
	expect(decode(M64, B(0x89, 0x04, 0x24)), STORE(3, 4, 0));	/* mov %eax,(%rsp) */
	expect(decode(M64, B(0x89, 0x44, 0x24, 0x08)), STORE(4, 4, 0)); /* mov %eax,8(%rsp) */
	/* mov %eax,0x300(%rsp) */
	expect(decode(M64, B(0x89, 0x84, 0x24, 0x00, 0x03, 0x00, 0x00)), STORE(7, 4, 0));
	/* mov %eax,0x10(%rax,%rcx,4) */
	expect(decode(M64, B(0x89, 0x44, 0x88, 0x10)), STORE(4, 4, 0));
}

/* SIB base 5 with mod 0: no base, a disp32 (SDM 2 table 2-3). */
static void test_mmio_sib_no_base(void **state)
{
	(void)state;
	/* mov %eax,0xfee000b0 */
	expect(decode(M64, B(0x89, 0x04, 0x25, 0xb0, 0x00, 0xe0, 0xfe)), STORE(7, 4, 0));
	/* mov %eax,0x0(,%rcx,4) */
	expect(decode(M64, B(0x89, 0x04, 0x8d, 0x00, 0x00, 0x00, 0x00)), STORE(7, 4, 0));
}

static void test_mmio_rip_relative(void **state)
{
	(void)state;
	/* mov %eax,0x10(%rip) */
	expect(decode(M64, B(0x89, 0x05, 0x10, 0x00, 0x00, 0x00)), STORE(6, 4, 0));
	/* movl $0x0,-0x30(%rip): disp32 then imm32 */
	expect(decode(M64, B(0xc7, 0x05, 0xd0, 0xff, 0xff, 0xff, 0, 0, 0, 0)), IMM(10, 4, 0));
}

/* Byte registers 4-7 without REX: AH CH DH BH, bits 8-15 of registers 0-3. */
static void test_mmio_high8(void **state)
{
	(void)state;
	struct insn_mmio ah = STORE(2, 1, 0), bh = LOAD(2, 1, 3, 1);

	ah.high8 = bh.high8 = true;
	expect(decode(M64, B(0x88, 0x20)), ah); /* mov %ah,(%rax) */
	expect(decode(M64, B(0x8a, 0x3f)), bh); /* mov (%rdi),%bh */
	expect(decode(M32, B(0x88, 0x20)), ah);
	ah.len = 4;
	expect(decode(M16, B(0x88, 0x26, 0x34, 0x12)), ah); /* mov %ah,[0x1234] */
}

/* Any REX, even 40, turns byte registers 4-7 into SPL BPL SIL DIL. */
static void test_mmio_byte_rex(void **state)
{
	(void)state;
	expect(decode(M64, B(0x40, 0x88, 0x20)), STORE(3, 1, 4));   /* mov %spl,(%rax) */
	expect(decode(M64, B(0x44, 0x88, 0x38)), STORE(3, 1, 15));  /* mov %r15b,(%rax) */
	expect(decode(M64, B(0x41, 0x8a, 0x37)), LOAD(3, 1, 6, 1)); /* mov (%r15),%sil */
	expect(decode(M64, B(0x88, 0x08)), STORE(2, 1, 1));	    /* mov %cl,(%rax) */
	expect(decode(M64, B(0x8a, 0x07)), LOAD(2, 1, 0, 1));	    /* mov (%rdi),%al */
}

static void test_mmio_movzx_byte(void **state)
{
	(void)state;
	expect(decode(M64, B(0x0f, 0xb6, 0x07)), LOAD(3, 1, 0, 4));	  /* movzbl (%rdi),%eax */
	expect(decode(M64, B(0x48, 0x0f, 0xb6, 0x0f)), LOAD(4, 1, 1, 8)); /* movzbq (%rdi),%rcx */
	expect(decode(M64, B(0x66, 0x0f, 0xb6, 0x07)), LOAD(4, 1, 0, 2)); /* movzbw (%rdi),%ax */
	expect(decode(M64, B(0x44, 0x0f, 0xb6, 0x07)), LOAD(4, 1, 8, 4)); /* movzbl (%rdi),%r8d */
	/* The destination is never a high byte: reg 4 is ESP here. */
	expect(decode(M64, B(0x0f, 0xb6, 0x27)), LOAD(3, 1, 4, 4));
}

static void test_mmio_movzx_word(void **state)
{
	(void)state;
	expect(decode(M64, B(0x0f, 0xb7, 0x07)), LOAD(3, 2, 0, 4)); /* movzwl (%rdi),%eax */
	expect(decode(M64, B(0x48, 0x0f, 0xb7, 0x47, 0x08)), LOAD(5, 2, 0, 8));
	expect(decode(M32, B(0x66, 0x0f, 0xb7, 0x07)), LOAD(4, 2, 0, 2));
}

static void test_mmio_imm8(void **state)
{
	(void)state;
	expect(decode(M64, B(0xc6, 0x00, 0x12)), IMM(3, 1, 0x12));	 /* movb $0x12,(%rax) */
	expect(decode(M64, B(0xc6, 0x40, 0x10, 0xff)), IMM(4, 1, 0xff)); /* movb $0xff,0x10(%rax) */
}

static void test_mmio_imm32(void **state)
{
	(void)state;
	expect(decode(M64, B(0xc7, 0x00, 0x78, 0x56, 0x34, 0x12)), IMM(6, 4, 0x12345678));
	/* movl $0x80000000,0xb0(%rax): 32 bits, no sign to extend */
	expect(decode(M64, B(0xc7, 0x80, 0xb0, 0, 0, 0, 0, 0, 0, 0x80)), IMM(10, 4, 0x80000000));
}

/* REX.W: the imm32 is sign-extended to 64 bits (SDM 2 §2.2.1.5). */
static void test_mmio_imm_rex_w(void **state)
{
	(void)state;
	expect(decode(M64, B(0x48, 0xc7, 0x00, 0x00, 0x00, 0x00, 0x80)),
	       IMM(7, 8, 0xffffffff80000000ull));
	expect(decode(M64, B(0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0x7f)), IMM(7, 8, 0x7fffffff));
}

static void test_mmio_imm16(void **state)
{
	(void)state;
	expect(decode(M64, B(0x66, 0xc7, 0x00, 0x34, 0x12)), IMM(5, 2, 0x1234));
	expect(decode(M64, B(0x66, 0xc7, 0x00, 0x00, 0x80)), IMM(5, 2, 0x8000));
	expect(decode(M16, B(0xc7, 0x07, 0x34, 0x12)), IMM(4, 2, 0x1234));     /* [bx] */
	expect(decode(M16, B(0xc6, 0x06, 0x34, 0x12, 0x56)), IMM(5, 1, 0x56)); /* [0x1234] */
}

static void test_mmio_opsize_64(void **state)
{
	(void)state;
	expect(decode(M64, B(0x66, 0x89, 0x08)), STORE(3, 2, 1));	/* mov %cx,(%rax) */
	expect(decode(M64, B(0x66, 0x8b, 0x07)), LOAD(3, 2, 0, 2));	/* mov (%rdi),%ax */
	expect(decode(M64, B(0x66, 0x48, 0x89, 0x08)), STORE(4, 8, 1)); /* REX.W wins */
}

/* A REX followed by a legacy prefix is ignored (SDM 2 §2.2.1). */
static void test_mmio_rex_not_last(void **state)
{
	(void)state;
	expect(decode(M64, B(0x48, 0x66, 0x89, 0x08)), STORE(4, 2, 1));
	expect(decode(M64, B(0x44, 0x2e, 0x89, 0x08)), STORE(4, 4, 1));
	/* Two REX: the last counts. */
	expect(decode(M64, B(0x48, 0x44, 0x89, 0x08)), STORE(4, 4, 9));
}

static void test_mmio_addrsize_64(void **state)
{
	(void)state;
	expect(decode(M64, B(0x67, 0x89, 0x08)), STORE(3, 4, 1)); /* mov %ecx,(%eax) */
	/* mov %eax,0x10(%eip) */
	expect(decode(M64, B(0x67, 0x89, 0x05, 0x10, 0x00, 0x00, 0x00)), STORE(7, 4, 0));
	expect(decode(M64, B(0x67, 0x89, 0x04, 0x24)), STORE(4, 4, 0)); /* mov %eax,(%esp) */
}

static void test_mmio_segment(void **state)
{
	(void)state;
	expect(decode(M64, B(0x65, 0x48, 0x89, 0x08)), STORE(4, 8, 1)); /* mov %rcx,%gs:(%rax) */
	expect(decode(M64, B(0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65, 0x89, 0x08)), STORE(8, 4, 1));
	expect(decode(M32, B(0x64, 0x8b, 0x07)), LOAD(3, 4, 0, 4)); /* mov %fs:(%edi),%eax */
	expect(decode(M16, B(0x26, 0x89, 0x07)), STORE(3, 2, 0));   /* mov %ax,%es:(%bx) */
}

/* A0-A3: the accumulator and an offset as wide as an address (SDM 2 §2.2.1.4). */
static void test_mmio_moffs_64(void **state)
{
	(void)state;
	expect(decode(M64, B(0xa1, 0xb0, 0, 0xe0, 0xfe, 0, 0, 0, 0)), LOAD(9, 4, 0, 4));
	expect(decode(M64, B(0x48, 0xa3, 0xb0, 0, 0xe0, 0xfe, 0, 0, 0, 0)), STORE(10, 8, 0));
	expect(decode(M64, B(0xa0, 0xb0, 0, 0xe0, 0xfe, 0, 0, 0, 0)), LOAD(9, 1, 0, 1));
	expect(decode(M64, B(0xa2, 0xb0, 0, 0xe0, 0xfe, 0, 0, 0, 0)), STORE(9, 1, 0));
	expect(decode(M64, B(0x66, 0xa1, 0xb0, 0, 0xe0, 0xfe, 0, 0, 0, 0)), LOAD(10, 2, 0, 2));
	expect(decode(M64, B(0x67, 0xa1, 0xb0, 0, 0xe0, 0xfe)), LOAD(6, 4, 0, 4));
	/* REX.R and REX.B do not move the accumulator. */
	expect(decode(M64, B(0x45, 0xa0, 0xb0, 0, 0xe0, 0xfe, 0, 0, 0, 0)), LOAD(10, 1, 0, 1));
}

static void test_mmio_32(void **state)
{
	(void)state;
	expect(decode(M32, B(0x89, 0x08)), STORE(2, 4, 1));	    /* mov %ecx,(%eax) */
	expect(decode(M32, B(0x8b, 0x4f, 0x20)), LOAD(3, 4, 1, 4)); /* mov 0x20(%edi),%ecx */
	expect(decode(M32, B(0x89, 0x44, 0x24, 0x08)), STORE(4, 4, 0));
	expect(decode(M32, B(0x0f, 0xb6, 0x07)), LOAD(3, 1, 0, 4));
	expect(decode(M32, B(0xc6, 0x07, 0x01)), IMM(3, 1, 1));
}

/* Outside 64-bit mode mod 0, r/m 5 is an absolute disp32, not RIP-relative. */
static void test_mmio_32_absolute(void **state)
{
	(void)state;
	expect(decode(M32, B(0x8b, 0x05, 0xb0, 0x00, 0xe0, 0xfe)), LOAD(6, 4, 0, 4));
	expect(decode(M32, B(0xc7, 0x05, 0xb0, 0x00, 0xe0, 0xfe, 0, 0, 0, 0)), IMM(10, 4, 0));
}

static void test_mmio_32_opsize(void **state)
{
	(void)state;
	expect(decode(M32, B(0x66, 0x89, 0x08)), STORE(3, 2, 1)); /* mov %cx,(%eax) */
	expect(decode(M32, B(0x66, 0xc7, 0x05, 0xb0, 0x00, 0xe0, 0xfe, 0x34, 0x12)),
	       IMM(9, 2, 0x1234));
	expect(decode(M32, B(0x66, 0x0f, 0xb6, 0x07)), LOAD(4, 1, 0, 2));
}

/* 67 in 32-bit code: 16-bit addressing (SDM 2 table 2-1). */
static void test_mmio_32_addr16(void **state)
{
	(void)state;
	expect(decode(M32, B(0x67, 0x89, 0x07)), STORE(3, 4, 0));	      /* [bx] */
	expect(decode(M32, B(0x67, 0x89, 0x06, 0x34, 0x12)), STORE(5, 4, 0)); /* [0x1234] */
	expect(decode(M32, B(0x67, 0x8b, 0x47, 0x10)), LOAD(4, 4, 0, 4));     /* [bx+0x10] */
	expect(decode(M32, B(0x67, 0x89, 0x04)), STORE(3, 4, 0)); /* [si]: r/m 4 has no SIB here */
}

static void test_mmio_32_moffs(void **state)
{
	(void)state;
	expect(decode(M32, B(0xa1, 0xb0, 0x00, 0xe0, 0xfe)), LOAD(5, 4, 0, 4));
	expect(decode(M32, B(0x67, 0xa3, 0x34, 0x12)), STORE(4, 4, 0));
}

/* Outside 64-bit mode 40-4F are INC and DEC, not REX. */
static void test_mmio_32_no_rex(void **state)
{
	(void)state;
	refused(M32, B(0x48, 0x89, 0x08), -EINVAL, "opcode 48 is not a MOV");
	refused(M16, B(0x41, 0x89, 0x08), -EINVAL, "opcode 41 is not a MOV");
}

static void test_mmio_16_addressing(void **state)
{
	(void)state;
	expect(decode(M16, B(0x89, 0x07)), STORE(2, 2, 0));		/* [bx] */
	expect(decode(M16, B(0x89, 0x00)), STORE(2, 2, 0));		/* [bx+si] */
	expect(decode(M16, B(0x89, 0x47, 0x10)), STORE(3, 2, 0));	/* [bx+0x10] */
	expect(decode(M16, B(0x89, 0x87, 0x34, 0x12)), STORE(4, 2, 0)); /* [bx+0x1234] */
	expect(decode(M16, B(0x89, 0x06, 0x34, 0x12)), STORE(4, 2, 0)); /* [0x1234] */
	expect(decode(M16, B(0x89, 0x46, 0x00)), STORE(3, 2, 0));	/* [bp+0] */
	expect(decode(M16, B(0x8b, 0x0c)), LOAD(2, 2, 1, 2));		/* mov cx,[si] */
}

static void test_mmio_16_opsize(void **state)
{
	(void)state;
	expect(decode(M16, B(0x66, 0x89, 0x07)), STORE(3, 4, 0));	  /* mov [bx],eax */
	expect(decode(M16, B(0x66, 0x0f, 0xb7, 0x07)), LOAD(4, 2, 0, 4)); /* movzx eax,word [bx] */
	expect(decode(M16, B(0x0f, 0xb6, 0x07)), LOAD(3, 1, 0, 2));	  /* movzx ax,byte [bx] */
}

/* 67 in 16-bit code: 32-bit addressing, SIB and disp32. */
static void test_mmio_16_addr32(void **state)
{
	(void)state;
	expect(decode(M16, B(0x67, 0x89, 0x04, 0x24)), STORE(4, 2, 0)); /* mov [esp],ax */
	expect(decode(M16, B(0x67, 0x66, 0xc7, 0x05, 0xb0, 0x00, 0xe0, 0xfe, 0, 0, 0, 0)),
	       IMM(12, 4, 0));
}

static void test_mmio_16_moffs(void **state)
{
	(void)state;
	expect(decode(M16, B(0xa1, 0x34, 0x12)), LOAD(3, 2, 0, 2));
	expect(decode(M16, B(0xa2, 0x34, 0x12)), STORE(3, 1, 0));
	expect(decode(M16, B(0x66, 0x67, 0xa3, 0xb0, 0x00, 0xe0, 0xfe)), STORE(7, 4, 0));
}

/* ---- refusals ---- */

static void test_mmio_register_form(void **state)
{
	(void)state;
	refused(M64, B(0x89, 0xc8), -EINVAL,
		"opcode 89 with ModRM c8 names a register, not memory");
	refused(M32, B(0x0f, 0xb6, 0xc0), -EINVAL,
		"opcode 0f b6 with ModRM c0 names a register, not memory");
	refused(M16, B(0xc7, 0xc0, 0x34, 0x12), -EINVAL,
		"opcode c7 with ModRM c0 names a register, not memory");
}

static void test_mmio_lock(void **state)
{
	(void)state;
	refused(M64, B(0xf0, 0x89, 0x08), -EINVAL, "opcode 89 with a LOCK prefix (f0)");
	refused(M32, B(0x66, 0xf0, 0xc7, 0x00, 0, 0), -EINVAL, "opcode c7 with a LOCK prefix (f0)");
}

static void test_mmio_rep(void **state)
{
	(void)state;
	refused(M64, B(0xf3, 0x89, 0x08), -EINVAL, "opcode 89 with a REP prefix (f3)");
	refused(M64, B(0xf2, 0x8b, 0x07), -EINVAL, "opcode 8b with a REP prefix (f2)");
	/* REP MOVS: the string move is not one of the forms at all. */
	refused(M64, B(0xf3, 0xa5), -EINVAL, "opcode a5 is not a MOV");
	refused(M64, B(0xf3, 0x48, 0xa5), -EINVAL, "opcode a5 is not a MOV");
}

static void test_mmio_other_opcodes(void **state)
{
	(void)state;
	refused(M64, B(0x87, 0x08), -EINVAL, "opcode 87 is not a MOV");		    /* XCHG */
	refused(M64, B(0x01, 0x08), -EINVAL, "opcode 01 is not a MOV");		    /* ADD */
	refused(M64, B(0x09, 0x08), -EINVAL, "opcode 09 is not a MOV");		    /* OR */
	refused(M64, B(0x0f, 0xc3, 0x08), -EINVAL, "opcode 0f c3 is not a MOV");    /* MOVNTI */
	refused(M64, B(0x0f, 0x0d, 0x08), -EINVAL, "opcode 0f 0d is not a MOV");    /* PREFETCHW */
	refused(M32, B(0xa5), -EINVAL, "opcode a5 is not a MOV");		    /* MOVS */
	refused(M64, B(0xc5, 0xf9, 0x7f, 0x00), -EINVAL, "opcode c5 is not a MOV"); /* VEX */
	refused(M64, B(0x0f, 0xbe, 0x07), -EINVAL, "opcode 0f be is not a MOV");    /* MOVSX */
}

/* C6 and C7 are MOV only with ModRM.reg 0. */
static void test_mmio_imm_other_reg(void **state)
{
	(void)state;
	refused(M64, B(0xc7, 0x08, 0, 0, 0, 0), -EINVAL, "opcode c7 /1 is not a MOV");
	refused(M64, B(0xc6, 0xf8, 0x00), -EINVAL, "opcode c6 /7 is not a MOV"); /* XABORT */
}

static void test_mmio_truncated(void **state)
{
	(void)state;
	refused(M64, NULL, 0, -EFAULT, "truncated: 0 bytes given, at least 1 needed");
	refused(M64, B(0x66, 0x48), -EFAULT, "truncated: 2 bytes given, at least 3 needed");
	refused(M64, B(0x89), -EFAULT, "truncated: 1 bytes given, at least 2 needed by opcode 89");
	refused(M64, B(0x0f), -EFAULT, "truncated: 1 bytes given, at least 2 needed by opcode 0f");
	refused(M64, B(0x89, 0x04), -EFAULT,
		"truncated: 2 bytes given, at least 3 needed by opcode 89"); /* the SIB */
	refused(M64, B(0x89, 0x88, 0xb0, 0x00), -EFAULT,
		"truncated: 4 bytes given, at least 6 needed by opcode 89");
	refused(M64, B(0xc7, 0x05, 0xd0, 0xff, 0xff, 0xff, 0, 0), -EFAULT,
		"truncated: 8 bytes given, at least 10 needed by opcode c7");
	refused(M64, B(0xa1, 0, 0, 0, 0), -EFAULT,
		"truncated: 5 bytes given, at least 9 needed by opcode a1");
}

static void test_mmio_too_long(void **state)
{
	u8 b[20];
	(void)state;

	/* 16 bytes of prefixes */
	memset(b, 0x66, 16);
	refused(M64, b, 16, -EINVAL, "longer than 15 bytes");
	/* 14 prefixes and 89 08: 16 bytes */
	memset(b, 0x3e, 14);
	b[14] = 0x89, b[15] = 0x08;
	refused(M64, b, 16, -EINVAL, "longer than 15 bytes: opcode 89");
	/* 3e 3e 3e 64 c7 84 24 disp32 imm32: 15 bytes, the most there can be */
	const u8 max[] = {
		0x3e, 0x3e, 0x3e, 0x64, 0xc7, 0x84, 0x24, 0xb0, 0, 0, 0, 1, 2, 3, 4, 0x90
	};
	expect(decode(M64, max, sizeof(max)), IMM(15, 4, 0x04030201));
	/* one prefix more: 16 */
	const u8 over[] = { 0x3e, 0x3e, 0x3e, 0x3e, 0x64, 0xc7, 0x84, 0x24,
			    0xb0, 0,	0,    0,    1,	  2,	3,    4 };
	refused(M64, over, sizeof(over), -EINVAL, "longer than 15 bytes: opcode c7");
}

/* The reason is optional; the answer is the same without it. */
static void test_mmio_no_why(void **state)
{
	const u8 ok[] = { 0x89, 0x08 }, bad[] = { 0x87, 0x08 };
	struct insn_mmio m;
	char tiny[4];
	(void)state;

	assert_int_equal(insn_decode_mmio(ok, sizeof(ok), M64, &m, NULL, 0), 0);
	assert_int_equal(m.len, 2);
	assert_int_equal(insn_decode_mmio(bad, sizeof(bad), M64, &m, NULL, 0), -EINVAL);
	assert_int_equal(insn_decode_mmio(bad, sizeof(bad), M64, &m, tiny, sizeof(tiny)), -EINVAL);
	assert_string_equal(tiny, "opc");
}

/* ---- applying the access ---- */

#define OLD 0xaaaaaaaaaaaaaaaaull
#define VAL 0x1122334455667788ull

/* SDM 1 §3.4.1.1: 32-bit results clear bits 32-63; 8- and 16-bit ones keep the rest. */
static void test_mmio_load_widths(void **state)
{
	(void)state;
	assert_int_equal(insn_mmio_load(&LOAD(2, 4, 0, 4), OLD, VAL), 0x55667788);
	assert_int_equal(insn_mmio_load(&LOAD(3, 8, 0, 8), OLD, VAL), VAL);
	assert_int_equal(insn_mmio_load(&LOAD(3, 2, 0, 2), OLD, VAL), 0xaaaaaaaaaaaa7788ull);
	assert_int_equal(insn_mmio_load(&LOAD(2, 1, 0, 1), OLD, VAL), 0xaaaaaaaaaaaaaa88ull);
	/* only size bytes of the value count */
	assert_int_equal(insn_mmio_load(&LOAD(2, 1, 0, 1), 0, 0xffffff01), 0x01);
}

static void test_mmio_load_high8(void **state)
{
	struct insn_mmio bh = LOAD(2, 1, 3, 1);
	(void)state;

	bh.high8 = true;
	assert_int_equal(insn_mmio_load(&bh, OLD, VAL), 0xaaaaaaaaaaaa88aaull);
	assert_int_equal(insn_mmio_load(&bh, 0, 0x1ff), 0xff00);
}

/* MOVZX: zeros up to dest_size, then the register rules. */
static void test_mmio_load_movzx(void **state)
{
	(void)state;
	assert_int_equal(insn_mmio_load(&LOAD(3, 1, 0, 4), OLD, VAL), 0x88);
	assert_int_equal(insn_mmio_load(&LOAD(4, 1, 0, 8), OLD, VAL), 0x88);
	assert_int_equal(insn_mmio_load(&LOAD(4, 1, 0, 2), OLD, VAL), 0xaaaaaaaaaaaa0088ull);
	assert_int_equal(insn_mmio_load(&LOAD(3, 2, 0, 4), OLD, VAL), 0x7788);
	assert_int_equal(insn_mmio_load(&LOAD(4, 2, 0, 8), OLD, VAL), 0x7788);
}

static void test_mmio_load_of_store(void **state)
{
	(void)state;
	/* A store leaves the register as it was. */
	assert_int_equal(insn_mmio_load(&STORE(2, 4, 0), OLD, VAL), OLD);
}

static void test_mmio_store_values(void **state)
{
	struct insn_mmio ch = STORE(2, 1, 1);
	(void)state;

	assert_int_equal(insn_mmio_store_value(&STORE(2, 4, 1), VAL), 0x55667788);
	assert_int_equal(insn_mmio_store_value(&STORE(3, 8, 1), VAL), VAL);
	assert_int_equal(insn_mmio_store_value(&STORE(3, 2, 1), VAL), 0x7788);
	assert_int_equal(insn_mmio_store_value(&STORE(2, 1, 1), VAL), 0x88);
	ch.high8 = true;
	assert_int_equal(insn_mmio_store_value(&ch, VAL), 0x77);
	/* An immediate, whatever the register holds. */
	assert_int_equal(insn_mmio_store_value(&IMM(6, 4, 0x12345678), VAL), 0x12345678);
}

/* The whole path as the glue takes it: decode, then apply. */
static void test_mmio_decode_and_apply(void **state)
{
	struct insn_mmio m;
	(void)state;

	m = decode(M64, B(0x48, 0xc7, 0x00, 0xfe, 0xff, 0xff, 0xff)); /* movq $-2,(%rax) */
	assert_int_equal(insn_mmio_store_value(&m, VAL), 0xfffffffffffffffeull);
	m = decode(M64, B(0x66, 0xc7, 0x00, 0xfe, 0xff)); /* movw $-2,(%rax) */
	assert_int_equal(insn_mmio_store_value(&m, VAL), 0xfffe);
	m = decode(M64, B(0x8a, 0x27)); /* mov (%rdi),%ah */
	assert_int_equal(insn_mmio_load(&m, OLD, 0x55), 0xaaaaaaaaaaaa55aaull);
	m = decode(M64, B(0x88, 0x3f)); /* mov %bh,(%rdi) */
	assert_int_equal(m.gpr, 3);
	assert_int_equal(insn_mmio_store_value(&m, 0x1234), 0x12);
	m = decode(M64, B(0x8b, 0x07)); /* mov (%rdi),%eax */
	assert_int_equal(insn_mmio_load(&m, OLD, 0xfee00000), 0xfee00000);
}

/* ---- where the access goes ---- */

/* The operand's parts, as insn_decode_mmio() finds them. */
static void where(struct insn_mmio m, int base, int index, unsigned scale, unsigned asize,
		  unsigned seg, u64 disp)
{
	assert_int_equal(m.base, base);
	assert_int_equal(m.index, index);
	assert_int_equal(m.scale, scale);
	assert_int_equal(m.addr_size, asize);
	assert_int_equal(m.seg, seg);
	assert_int_equal(m.disp, disp);
}

#define NONE INSN_NO_REG

static void test_address_64(void **state)
{
	(void)state;
	where(decode(M64, B(0x89, 0x08)), 0, NONE, 1, 8, INSN_SEG_DS, 0); /* (%rax) */
	where(decode(M64, B(0x8b, 0x4f, 0xf0)), 7, NONE, 1, 8, INSN_SEG_DS,
	      (u64)-16); /* -0x10(%rdi) */
	where(decode(M64, B(0x8b, 0x44, 0x8b, 0x08)), 3, 1, 4, 8, INSN_SEG_DS,
	      8); /* 8(%rbx,%rcx,4) */
	where(decode(M64, B(0x89, 0x44, 0x24, 0x08)), 4, NONE, 1, 8, INSN_SEG_SS, 8); /* 8(%rsp) */
	where(decode(M64, B(0x89, 0x45, 0x00)), 5, NONE, 1, 8, INSN_SEG_SS, 0);	      /* (%rbp) */
	where(decode(M64, B(0x43, 0x89, 0x04, 0xe4)), 12, 12, 8, 8, INSN_SEG_DS,
	      0); /* (%r12,%r12,8): REX.X index 4 is r12, not none */
	where(decode(M64, B(0x89, 0x04, 0x25, 0xb0, 0x00, 0xe0, 0xfe)), NONE, NONE, 1, 8,
	      INSN_SEG_DS, 0xfffffffffee000b0ull); /* SIB with no base, no index */
	where(decode(M64, B(0x8b, 0x05, 0x10, 0, 0, 0)), INSN_RIP, NONE, 1, 8, INSN_SEG_DS, 0x10);
	where(decode(M64, B(0x65, 0x89, 0x08)), 0, NONE, 1, 8, INSN_SEG_GS, 0); /* %gs:(%rax) */
	where(decode(M64, B(0x67, 0x89, 0x08)), 0, NONE, 1, 4, INSN_SEG_DS, 0); /* (%eax) */
	where(decode(M64, B(0xa1, 0xb0, 0x00, 0xe0, 0xfe, 0, 0, 0, 0)), NONE, NONE, 1, 8,
	      INSN_SEG_DS, 0xfee000b0);
}

static void test_address_32_16(void **state)
{
	(void)state;
	where(decode(M32, B(0x26, 0x8b, 0x05, 0xb0, 0x00, 0xe0, 0xfe)), NONE, NONE, 1, 4,
	      INSN_SEG_ES, 0xfffffffffee000b0ull); /* absolute, ES override */
	where(decode(M32, B(0x36, 0x3e, 0x89, 0x08)), 0, NONE, 1, 4, INSN_SEG_DS,
	      0); /* the last override counts */
	where(decode(M16, B(0x89, 0x00)), 3, 6, 1, 2, INSN_SEG_DS, 0);		   /* [bx+si] */
	where(decode(M16, B(0x89, 0x43, 0xfe)), 5, 7, 1, 2, INSN_SEG_SS, (u64)-2); /* [bp+di-2] */
	where(decode(M16, B(0x89, 0x06, 0x34, 0x12)), NONE, NONE, 1, 2, INSN_SEG_DS, 0x1234);
	where(decode(M16, B(0x89, 0x46, 0x00)), 5, NONE, 1, 2, INSN_SEG_SS, 0); /* [bp+0] */
	where(decode(M16, B(0xa1, 0x34, 0x12)), NONE, NONE, 1, 2, INSN_SEG_DS, 0x1234);
}

/* The sum wraps at the address size (SDM 1 §3.3.7). */
static void test_address_sum(void **state)
{
	struct insn_mmio m;
	(void)state;

	m = decode(M64, B(0x8b, 0x44, 0x8b, 0x08)); /* 8(%rbx,%rcx,4) */
	assert_int_equal(insn_mmio_address(&m, 0xfee00000, 3), 0xfee00014);
	m = decode(M16, B(0x89, 0x43, 0xfe)); /* [bp+di-2] */
	assert_int_equal(insn_mmio_address(&m, 0xffff, 0x1), 0xfffe);
	assert_int_equal(insn_mmio_address(&m, 0, 0), 0xfffe);
	m = decode(M64, B(0x67, 0x89, 0x08)); /* (%eax) */
	assert_int_equal(insn_mmio_address(&m, 0x1fee00000ull, 0), 0xfee00000);
	m = decode(M64, B(0x89, 0x04, 0x25, 0xb0, 0x00, 0xe0, 0xfe));
	assert_int_equal(insn_mmio_address(&m, 12345, 678), 0xfffffffffee000b0ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_address_64),
		cmocka_unit_test(test_address_32_16),
		cmocka_unit_test(test_address_sum),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_legacy_prefixes),
		cmocka_unit_test(test_rex),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_other_opcode),
		cmocka_unit_test(test_cr_write),
		cmocka_unit_test(test_mmio_store_64),
		cmocka_unit_test(test_mmio_rex_w),
		cmocka_unit_test(test_mmio_rex_r),
		cmocka_unit_test(test_mmio_rex_b_x),
		cmocka_unit_test(test_mmio_r12_r13),
		cmocka_unit_test(test_mmio_disp8),
		cmocka_unit_test(test_mmio_disp32),
		cmocka_unit_test(test_mmio_sib),
		cmocka_unit_test(test_mmio_sib_no_base),
		cmocka_unit_test(test_mmio_rip_relative),
		cmocka_unit_test(test_mmio_high8),
		cmocka_unit_test(test_mmio_byte_rex),
		cmocka_unit_test(test_mmio_movzx_byte),
		cmocka_unit_test(test_mmio_movzx_word),
		cmocka_unit_test(test_mmio_imm8),
		cmocka_unit_test(test_mmio_imm32),
		cmocka_unit_test(test_mmio_imm_rex_w),
		cmocka_unit_test(test_mmio_imm16),
		cmocka_unit_test(test_mmio_opsize_64),
		cmocka_unit_test(test_mmio_rex_not_last),
		cmocka_unit_test(test_mmio_addrsize_64),
		cmocka_unit_test(test_mmio_segment),
		cmocka_unit_test(test_mmio_moffs_64),
		cmocka_unit_test(test_mmio_32),
		cmocka_unit_test(test_mmio_32_absolute),
		cmocka_unit_test(test_mmio_32_opsize),
		cmocka_unit_test(test_mmio_32_addr16),
		cmocka_unit_test(test_mmio_32_moffs),
		cmocka_unit_test(test_mmio_32_no_rex),
		cmocka_unit_test(test_mmio_16_addressing),
		cmocka_unit_test(test_mmio_16_opsize),
		cmocka_unit_test(test_mmio_16_addr32),
		cmocka_unit_test(test_mmio_16_moffs),
		cmocka_unit_test(test_mmio_register_form),
		cmocka_unit_test(test_mmio_lock),
		cmocka_unit_test(test_mmio_rep),
		cmocka_unit_test(test_mmio_other_opcodes),
		cmocka_unit_test(test_mmio_imm_other_reg),
		cmocka_unit_test(test_mmio_truncated),
		cmocka_unit_test(test_mmio_too_long),
		cmocka_unit_test(test_mmio_no_why),
		cmocka_unit_test(test_mmio_load_widths),
		cmocka_unit_test(test_mmio_load_high8),
		cmocka_unit_test(test_mmio_load_movzx),
		cmocka_unit_test(test_mmio_load_of_store),
		cmocka_unit_test(test_mmio_store_values),
		cmocka_unit_test(test_mmio_decode_and_apply),

	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
