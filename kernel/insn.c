/*
 * The decoding of kernel/insn.h: prefix skipping; the few control
 * register writes (MOV to CR, CLTS, LMSW) the SVM backend reads from the
 * guest's bytes when the CPU does not decode them; and the MOV and MOVZX
 * forms a guest uses on a device page, with everything else refused by
 * name.  Any number of legacy prefixes may come before the opcode, and
 * in 64-bit mode REX bytes among them (only the last counts for the
 * CPU, but all take room); the whole instruction is at most 15 bytes, or
 * the CPU would have raised #GP instead of exiting.  What the access
 * does to the device, and how the bytes were fetched, is the caller's.
 */
#include "kernel/insn.h"

#include "lib/format.h"

/* Prefix bytes (SDM 2 §2.1.1) and the REX bits (§2.2.1.2, table 2-4: 0100WRXB). */
#define PFX_LOCK 0xf0
#define PFX_REPNE 0xf2
#define PFX_REP 0xf3
#define PFX_OPSIZE 0x66
#define PFX_ADDRSIZE 0x67
#define REX_W 0x08 /* 64-bit operand size */
#define REX_R 0x04 /* high bit of ModRM.reg */
#define REX_X 0x02 /* high bit of SIB.index */
#define REX_B 0x01 /* high bit of ModRM.r/m or SIB.base */

static bool legacy_prefix(u8 b)
{
	switch (b) {
	case 0xf0: /* LOCK */
	case 0xf2: /* REPNE */
	case 0xf3: /* REP */
	case 0x2e: /* CS */
	case 0x36: /* SS */
	case 0x3e: /* DS */
	case 0x26: /* ES */
	case 0x64: /* FS */
	case 0x65: /* GS */
	case 0x66: /* operand size */
	case 0x67: /* address size */
		return true;
	default:
		return false;
	}
}

/* The prefixes before an opcode (SDM 2 §2.1.1, §2.2.1), as prefixes() finds them. */
struct prefixes {
	u8 rex;	       /* the REX byte that counts (0 if none) */
	u8 lock_rep;   /* the last LOCK, REP or REPNE byte (0 if none) */
	bool opsize;   /* 66: the other operand size */
	bool addrsize; /* 67: the other address size */
	s8 seg;	       /* the last segment override, INSN_SEG_*, or -1 */
};

/* Prefixes at the start of bytes[0..n): how many, and what they say in *p. */
static u32 prefixes(const u8 *bytes, u32 n, bool long64, struct prefixes *p)
{
	u32 i = 0;

	static const u8 seg_prefix[] = {
		[INSN_SEG_ES] = 0x26, [INSN_SEG_CS] = 0x2e, [INSN_SEG_SS] = 0x36,
		[INSN_SEG_DS] = 0x3e, [INSN_SEG_FS] = 0x64, [INSN_SEG_GS] = 0x65
	};

	*p = (struct prefixes){ 0, 0, false, false, -1 };
	while (i < n && (legacy_prefix(bytes[i]) || (long64 && (bytes[i] & 0xf0) == 0x40))) {
		/* A REX counts only right before the opcode: a legacy prefix after it cancels it.
		 */
		p->rex = (bytes[i] & 0xf0) == 0x40 && long64 ? bytes[i] : 0;
		if (bytes[i] == PFX_LOCK || bytes[i] == PFX_REPNE || bytes[i] == PFX_REP)
			p->lock_rep = bytes[i];
		p->opsize |= bytes[i] == PFX_OPSIZE;
		p->addrsize |= bytes[i] == PFX_ADDRSIZE;
		for (u32 k = 0; k < ARRAY_SIZE(seg_prefix); k++)
			if (bytes[i] == seg_prefix[k])
				p->seg = (s8)k;
		i++;
	}
	return i;
}

u32 insn_length(const u8 *bytes, u32 n, bool long64, const u8 *opcode, u32 oplen)
{
	struct prefixes p;
	u32 i;

	n = n < INSN_MAX ? n : INSN_MAX;
	i = prefixes(bytes, n, long64, &p);
	if (i + oplen > n)
		return 0;
	for (u32 k = 0; k < oplen; k++)
		if (bytes[i + k] != opcode[k])
			return 0;
	return i + oplen;
}

u32 insn_cr_write(const u8 *bytes, u32 n, bool long64, struct insn_cr *out)
{
	struct prefixes p;
	u8 rex, modrm;
	u32 i;

	n = n < INSN_MAX ? n : INSN_MAX;
	i = prefixes(bytes, n, long64, &p);
	rex = p.rex;
	if (i + 2 > n || bytes[i] != 0x0f)
		return 0;
	if (bytes[i + 1] == 0x06) {
		*out = (struct insn_cr){ INSN_CLTS, 0, 0 };
		return i + 2;
	}
	if (i + 3 > n)
		return 0;
	modrm = bytes[i + 2];
	if (bytes[i + 1] == 0x22) {
		/* The CPU takes the register form whatever the mod bits say (SDM 2, MOV to CR). */
		*out = (struct insn_cr){ INSN_MOV_TO_CR,
					 (u8)(((modrm >> 3) & 7) | ((rex & REX_R) ? 8 : 0)),
					 (u8)((modrm & 7) | ((rex & REX_B) ? 8 : 0)) };
		return i + 3;
	}
	if (bytes[i + 1] == 0x01 && ((modrm >> 3) & 7) == 6 && (modrm >> 6) == 3) {
		*out = (struct insn_cr){ INSN_LMSW, 0,
					 (u8)((modrm & 7) | ((rex & REX_B) ? 8 : 0)) };
		return i + 3;
	}
	return 0;
}

/*
 * MMIO: the forms a guest uses on a device register, and no other.  A
 * MOV (SDM 2 "MOV—Move") or MOVZX ("MOVZX—Move with Zero-Extend") with
 * one memory operand; the other operand is ModRM.reg, an immediate, or
 * the accumulator with a direct offset (moffs, §2.2.1.4).  FULL is the
 * operand size: 16 or 32 bits by the mode and 66, 64 with REX.W.
 */
#define FULL 0
#define OPCODE_ESCAPE 0x0f /* the first byte of a two-byte opcode (SDM 2 §2.1.2) */
enum other { WITH_REG, WITH_IMM, WITH_ACC };

struct mmio_form {
	u8 op;	       /* the opcode byte, after 0F when two_byte */
	bool two_byte; /* 0F op */
	u8 other;      /* the operand that is not memory: WITH_* */
	bool write;    /* memory is the destination */
	u8 mem;	       /* bytes of memory: 1, 2 or FULL */
	u8 reg;	       /* bytes of the register or immediate: 1 or FULL */
};

static const struct mmio_form mmio_forms[] = {
	/* opcode 0F?  other     write  mem   reg */
	{ 0x88, false, WITH_REG, true, 1, 1 },	      /* 88 /r     MOV r/m8, r8 */
	{ 0x89, false, WITH_REG, true, FULL, FULL },  /* 89 /r     MOV r/m, r */
	{ 0x8a, false, WITH_REG, false, 1, 1 },	      /* 8A /r     MOV r8, r/m8 */
	{ 0x8b, false, WITH_REG, false, FULL, FULL }, /* 8B /r     MOV r, r/m */
	{ 0xa0, false, WITH_ACC, false, 1, 1 },	      /* A0        MOV AL, moffs8 */
	{ 0xa1, false, WITH_ACC, false, FULL, FULL }, /* A1        MOV rAX, moffs */
	{ 0xa2, false, WITH_ACC, true, 1, 1 },	      /* A2        MOV moffs8, AL */
	{ 0xa3, false, WITH_ACC, true, FULL, FULL },  /* A3        MOV moffs, rAX */
	{ 0xc6, false, WITH_IMM, true, 1, 1 },	      /* C6 /0 ib  MOV r/m8, imm8 */
	{ 0xc7, false, WITH_IMM, true, FULL, FULL },  /* C7 /0 iw/id  MOV r/m, imm16/32 */
	{ 0xb6, true, WITH_REG, false, 1, FULL },     /* 0F B6 /r  MOVZX r, r/m8 */
	{ 0xb7, true, WITH_REG, false, 2, FULL },     /* 0F B7 /r  MOVZX r, r/m16 */
};

/* ModRM (SDM 2 §2.1.3): mod 3 names a register, not memory. */
#define MODRM_MOD(m) ((m) >> 6)
#define MODRM_REG(m) (((m) >> 3) & 7)
#define MODRM_RM(m) ((m)&7)
#define MOD_REGISTER 3

/* Where the decoding is, and where a refusal is told. */
struct decoder {
	const u8 *bytes;
	u32 n; /* bytes given */
	char *why;
	size_t whylen;
	char op[8]; /* the opcode as seen, "89" or "0f b6", for the reasons */
};

static int PRINTF_LIKE(3, 4) refuse(struct decoder *d, int err, const char *fmt, ...)
{
	va_list ap;

	if (d->why && d->whylen) {
		va_start(ap, fmt);
		format_v(d->why, d->whylen, fmt, ap);
		va_end(ap);
	}
	return err;
}

/* Are there bytes [0, end)?  The limit of 15 first: more is no instruction at all. */
static int need(struct decoder *d, u32 end)
{
	if (end > INSN_MAX)
		return refuse(d, -EINVAL, "longer than 15 bytes%s%s", d->op[0] ? ": opcode " : "",
			      d->op);
	if (end > d->n)
		return refuse(d, -EFAULT, "truncated: %u bytes given, at least %u needed%s%s", d->n,
			      end, d->op[0] ? " by opcode " : "", d->op);
	return 0;
}

static const struct mmio_form *find_form(u8 op, bool two_byte)
{
	for (u32 k = 0; k < ARRAY_SIZE(mmio_forms); k++)
		if (mmio_forms[k].op == op && mmio_forms[k].two_byte == two_byte)
			return &mmio_forms[k];
	return NULL;
}

/* The little-endian value of bytes[at..at+len), sign-extended from len bytes. */
static u64 signed_le(const u8 *bytes, u32 at, u32 len);

/*
 * The memory operand after ModRM: SIB and displacement, their length in
 * *len and the address they make in m.  16-bit addressing has no SIB (SDM
 * 2 table 2-1): r/m picks BX+SI, BX+DI, BP+SI, BP+DI, SI, DI, BP, BX, and
 * mod 0 with r/m 6 is disp16 alone; disp16 with mod 2.  32- and 64-bit
 * (tables 2-2, 2-3): SIB when r/m is 4, its index 4 meaning none; disp32
 * with mod 2, or mod 0 and r/m 5 (in 64-bit mode RIP-relative,
 * §2.2.1.6), or mod 0 and SIB base 5 (then no base).  REX.B and REX.X
 * extend the registers but do not change these (r12 and r13 take the
 * same room as rsp and rbp: table 2-5).  mod 1: disp8.  A base of rBP or
 * rSP addresses the stack segment (SDM 1 §3.7.4).
 */
static int address_bytes(struct decoder *d, u32 at, u8 modrm, u8 rex, bool long64,
			 struct insn_mmio *m, u32 *len)
{
	static const s8 base16[8] = { 3, 3, 5, 5, 6, 7, 5, 3 }; /* BX BX BP BP SI DI BP BX */
	static const s8 index16[8] = { 6,	    7,		 6,	      7,
				       INSN_NO_REG, INSN_NO_REG, INSN_NO_REG, INSN_NO_REG };
	u32 mod = MODRM_MOD(modrm), rm = MODRM_RM(modrm), sib = 0, disp;
	int err;

	m->scale = 1;
	m->index = INSN_NO_REG;
	if (m->addr_size == 2) {
		disp = mod == 1 ? 1 : mod == 2 || (mod == 0 && rm == 6) ? 2 : 0;
		m->base = mod == 0 && rm == 6 ? INSN_NO_REG : base16[rm];
		m->index = index16[rm];
	} else {
		m->base = (s8)(rm | ((rex & REX_B) ? 8 : 0));
		if (rm == 4) {
			u8 s;

			sib = 1;
			err = need(d, at + 1);
			if (err)
				return err;
			s = d->bytes[at];
			m->scale = (u8)(1u << (s >> 6));
			if ((((s >> 3) & 7) | ((rex & REX_X) ? 8 : 0)) != 4)
				m->index = (s8)(((s >> 3) & 7) | ((rex & REX_X) ? 8 : 0));
			m->base = (s8)((s & 7) | ((rex & REX_B) ? 8 : 0));
			if (mod == 0 && (s & 7) == 5)
				m->base = INSN_NO_REG;
		} else if (mod == 0 && rm == 5) {
			m->base = long64 ? INSN_RIP : INSN_NO_REG;
		}
		disp = mod == 1 ? 1 : mod == 2 ? 4 : 0;
		if (mod == 0 && (rm == 5 || (sib && MODRM_RM(d->bytes[at]) == 5)))
			disp = 4;
	}
	if (m->base == 4 || m->base == 5)
		m->seg = INSN_SEG_SS;
	err = need(d, at + sib + disp);
	if (err)
		return err;
	m->disp = disp ? signed_le(d->bytes, at + sib, disp) : 0;
	*len = sib + disp;
	return 0;
}

static u64 signed_le(const u8 *bytes, u32 at, u32 len)
{
	u64 v = 0;

	for (u32 k = len; k > 0; k--)
		v = v << 8 | bytes[at + k - 1];
	if (len < 8 && (v >> (8 * len - 1)) & 1)
		v |= ~0ull << (8 * len);
	return v;
}

/* The low size bytes of v. */
static u64 cut(u64 v, u32 size)
{
	return size >= 8 ? v : v & ((1ull << (8 * size)) - 1);
}

int insn_decode_mmio(const u8 *bytes, u32 n, enum insn_mode mode, struct insn_mmio *out, char *why,
		     size_t whylen)
{
	struct decoder d = { bytes, n, why, whylen, "" };
	bool long64 = mode == INSN_MODE64;
	const struct mmio_form *f;
	struct insn_mmio m = { 0 };
	struct prefixes p;
	u32 i, osize, asize, end, extra, imm_len = 0;
	u8 op, modrm = 0;
	int err;

	i = prefixes(bytes, MIN(n, INSN_MAX), long64, &p);
	err = need(&d, i + 1);
	if (err)
		return err;
	op = bytes[i];
	if (op == OPCODE_ESCAPE) {
		format(d.op, sizeof(d.op), "0f");
		err = need(&d, i + 2);
		if (err)
			return err;
		f = find_form(bytes[i + 1], true);
		format(d.op, sizeof(d.op), "0f %02x", bytes[i + 1]);
		end = i + 2;
	} else {
		f = find_form(op, false);
		format(d.op, sizeof(d.op), "%02x", op);
		end = i + 1;
	}
	if (!f)
		return refuse(&d, -EINVAL, "opcode %s is not a MOV", d.op);
	if (p.lock_rep)
		return refuse(&d, -EINVAL, "opcode %s with a %s prefix (%02x)", d.op,
			      p.lock_rep == PFX_LOCK ? "LOCK" : "REP", p.lock_rep);

	/*
	 * Operand and address sizes (SDM 1 §3.6, tables 3-3 and 3-4): 66 and
	 * 67 swap 16 and 32 bits; REX.W makes the operand 64 bits whatever 66
	 * says, and 67 makes 64-bit addresses 32-bit ones.
	 */
	osize = mode == INSN_MODE16 ? 2 : 4;
	if (p.opsize)
		osize = osize == 2 ? 4 : 2;
	if (p.rex & REX_W)
		osize = 8;
	asize = mode == INSN_MODE16 ? 2 : mode == INSN_MODE32 ? 4 : 8;
	if (p.addrsize)
		asize = asize == 4 ? 2 : 4;

	m.addr_size = (u8)asize;
	m.seg = INSN_SEG_DS;
	if (f->other == WITH_ACC) {
		/* The offset is as wide as an address (§2.2.1.4); the register is AL or rAX. */
		extra = asize;
		err = need(&d, end + extra);
		if (err)
			return err;
		m.base = m.index = INSN_NO_REG;
		m.scale = 1;
		m.disp = signed_le(bytes, end, extra);
	} else {
		err = need(&d, end + 1);
		if (err)
			return err;
		modrm = bytes[end++];
		if (f->other == WITH_IMM && MODRM_REG(modrm) != 0)
			return refuse(&d, -EINVAL, "opcode %s /%u is not a MOV", d.op,
				      MODRM_REG(modrm));
		if (MODRM_MOD(modrm) == MOD_REGISTER)
			return refuse(&d, -EINVAL,
				      "opcode %s with ModRM %02x names a register, not memory",
				      d.op, modrm);
		err = address_bytes(&d, end, modrm, p.rex, long64, &m, &extra);
		if (err)
			return err;
		/* An immediate is as wide as the operand, but 32 bits for 64 (§2.2.1.5). */
		if (f->other == WITH_IMM)
			imm_len = f->reg == 1 ? 1 : MIN(osize, 4u);
	}
	err = need(&d, end + extra + imm_len);
	if (err)
		return err;

	m.len = (u8)(end + extra + imm_len);
	m.size = (u8)(f->mem == FULL ? osize : f->mem);
	m.write = f->write;
	if (f->other == WITH_IMM) {
		m.has_imm = true;
		m.imm = cut(signed_le(bytes, end + extra, imm_len), m.size);
	} else if (f->other == WITH_REG) {
		m.gpr = (u8)(MODRM_REG(modrm) | ((p.rex & REX_R) ? 8 : 0));
		/* Without any REX, byte registers 4-7 are AH CH DH BH (§2.2.1.2, table 3-1). */
		if (f->reg == 1 && !p.rex && m.gpr >= 4) {
			m.gpr -= 4;
			m.high8 = true;
		}
	}
	if (!m.write)
		m.dest_size = (u8)(f->reg == FULL ? osize : f->reg);
	if (p.seg >= 0)
		m.seg = (u8)p.seg;
	*out = m;
	if (why && whylen)
		why[0] = '\0';
	return 0;
}

/*
 * Writing a register (SDM 1 §3.4.1.1): 8- and 16-bit results leave the
 * other bits as they were, 32-bit ones clear bits 32-63 (outside 64-bit
 * mode those are undefined, so clearing them is as good), 64-bit ones
 * fill it.  MOVZX first widens the value with zeros to dest_size.
 */
u64 insn_mmio_load(const struct insn_mmio *m, u64 old, u64 value)
{
	u64 v = cut(value, m->size);

	if (m->write)
		return old;
	if (m->high8)
		return (old & ~0xff00ull) | v << 8;
	if (m->dest_size <= 2)
		return (old & ~cut(~0ull, m->dest_size)) | v;
	return v;
}

u64 insn_mmio_store_value(const struct insn_mmio *m, u64 reg)
{
	if (m->has_imm)
		return m->imm;
	return cut(m->high8 ? reg >> 8 : reg, m->size);
}

u64 insn_mmio_address(const struct insn_mmio *m, u64 base, u64 index)
{
	u64 ea = m->disp;

	if (m->base != INSN_NO_REG)
		ea += base;
	if (m->index != INSN_NO_REG)
		ea += index * m->scale;
	return cut(ea, m->addr_size);
}
