/*
 * Unit tests of kernel/config.c, the parser of partition lines (the
 * words GRUB passes with each module2): the leading path, name= and
 * mem=, the default size, sizes with K/M/G (either case) and in hex,
 * and every refusal: mem out of 2M..64G or not a multiple of 2M, sizes
 * that are junk or overflow, names too long, empty or with bad
 * characters, a missing name, an unknown key, a word without '='.
 * Then the scheduling and crash keys: cpus= lists (config_parse_cpus),
 * weight=, cap=, on_crash=, restart_limit=, their defaults, bounds and
 * refusals.
 * Then the guest's command line after a lone "--", and module lines
 * (for=<name>, config_parse_attach) with the helpers the boot code uses
 * on them (config_line_name, config_line_path).
 * Each refusal is -EINVAL with one sentence that names the key; the
 * tests check the whole sentence.  config_check_module names every
 * problem of a line, in order, the first being config_parse_module's.
 *
 * lib/lib.c is listed for parse_u64, so tools/unit.sh builds this
 * file with -Dmemset=k_memset (and so on): it includes no libc header
 * and its strlen and memset are the kernel's.
 */
/* unit-sources: kernel/config.c lib/lib.c */
#include "tests/unit/unit.h"

#include "kernel/config.h"
#include "lib/lib.h"

#define UNTOUCHED 0x5a5a5a5a5a5a5a5aull

static struct partition_config cfg;
static char why[160];

/* Parse str into cfg, starting from garbage so the parser must reset everything. */
static int parse(const char *str)
{
	memset(&cfg, 0xa5, sizeof(cfg));
	memset(why, 0, sizeof(why));
	return config_parse_module(str, &cfg, why, sizeof(why));
}

/* str must be refused with exactly this sentence. */
static void refused(const char *str, const char *sentence)
{
	int err = parse(str);
	if (err != -EINVAL || strcmp(why, sentence) != 0)
		print_message("line: \"%s\"\nwhy:  \"%s\"\nwant: \"%s\"\n", str, why, sentence);
	assert_int_equal(err, -EINVAL);
	assert_string_equal(why, sentence);
}

static void accepted(const char *str, const char *name, u64 mem)
{
	int err = parse(str);
	if (err != 0)
		print_message("line: \"%s\"\nwhy:  \"%s\"\n", str, why);
	assert_int_equal(err, 0);
	assert_string_equal(cfg.name, name);
	assert_true(cfg.mem == mem);
	/* The name is NUL-padded to the end of its array: nothing of the garbage is left. */
	for (size_t i = strlen(name); i < sizeof(cfg.name); i++)
		assert_int_equal(cfg.name[i], 0);
}

/* ---- config_parse_size ------------------------------------------------- */

static int size_of(const char *s, u64 *out)
{
	*out = UNTOUCHED;
	return config_parse_size(s, strlen(s), out);
}

static void size_ok(const char *s, u64 want)
{
	u64 v;
	int err = size_of(s, &v);
	if (err != 0 || v != want)
		print_message("size \"%s\": err %d value 0x%llx, want 0x%llx\n", s, err,
			      (unsigned long long)v, (unsigned long long)want);
	assert_int_equal(err, 0);
	assert_true(v == want);
}

static void size_bad(const char *s)
{
	u64 v;
	int err = size_of(s, &v);
	if (err != -EINVAL)
		print_message("size \"%s\" was accepted as 0x%llx\n", s, (unsigned long long)v);
	assert_int_equal(err, -EINVAL);
	assert_true(v == UNTOUCHED); /* nothing stored on failure */
}

static void test_size_units(void **state)
{
	(void)state;
	size_ok("0", 0);
	size_ok("4096", 4096);
	size_ok("4K", KiB(4));
	size_ok("4k", KiB(4));
	size_ok("16M", MiB(16));
	size_ok("16m", MiB(16));
	size_ok("1G", GiB(1));
	size_ok("1g", GiB(1));
	size_ok("64G", GiB(64));
	size_ok("2048K", MiB(2));
	size_ok("0M", 0);
}

static void test_size_hex(void **state)
{
	(void)state;
	size_ok("0x200000", MiB(2));
	size_ok("0X200000", MiB(2));
	size_ok("0x10M", MiB(16));
	size_ok("0x10k", KiB(16));
	size_ok("0xaG", GiB(10));
	size_ok("0xFFFFFFFFFFFFFFFF", UINT64_MAX);
	/* Hex digits are not units: b is eleven, not a suffix. */
	size_ok("0x2b", 0x2b);
}

static void test_size_junk(void **state)
{
	(void)state;
	size_bad("");
	size_bad("K");
	size_bad("M");
	size_bad("G");
	size_bad("16MB");
	size_bad("16MiB");
	size_bad("2T");
	size_bad("1.5G");
	size_bad("-2M");
	size_bad("+2M");
	size_bad(" 2M");
	size_bad("2M ");
	size_bad("2 M");
	size_bad("abc");
	size_bad("12a");
	size_bad("0x");
	size_bad("0xM");
	size_bad("0xg");
	size_bad("MM");
	size_bad("16KM");

	/* Only len characters count: "16M" cut to "16" is 16 bytes. */
	u64 v;
	assert_int_equal(config_parse_size("16Mjunk", 2, &v), 0);
	assert_int_equal(v, 16);
	assert_int_equal(config_parse_size("16Mjunk", 3, &v), 0);
	assert_int_equal(v, MiB(16));
	v = UNTOUCHED;
	assert_int_equal(config_parse_size("16Mjunk", 0, &v), -EINVAL);
	assert_true(v == UNTOUCHED);
}

static void test_size_overflow(void **state)
{
	(void)state;
	/* The largest values each unit can hold, and one more. */
	size_ok("18446744073709551615", UINT64_MAX);
	size_bad("18446744073709551616");
	size_ok("18014398509481983K", 18014398509481983ull << 10);
	size_bad("18014398509481984K");
	size_ok("17592186044415M", 17592186044415ull << 20);
	size_bad("17592186044416M");
	size_ok("17179869183G", 17179869183ull << 30);
	size_bad("17179869184G");
	size_bad("99999999999999999999G");
	size_bad("99999999999999999999");
	size_bad("0x10000000000000000");
	size_bad("0x400000000G");
}

/* ---- config_parse_module: good lines ----------------------------------- */

static void test_path_name_mem(void **state)
{
	(void)state;
	accepted("/boot/hello.elf name=hello mem=16M", "hello", MiB(16));
	assert_string_equal(why, ""); /* nothing said */
	accepted("/guests/counter.elf mem=32M name=counter", "counter", MiB(32));
	/* No path at all. */
	accepted("name=a mem=4M", "a", MiB(4));
	/* Blanks: runs of spaces and tabs, leading and trailing. */
	accepted("  \t/boot/x.elf\t\tname=x   mem=0x400000 \t ", "x", MiB(4));
	/* Every kind of name character, and exactly 16 of them. */
	accepted("/x name=Az09-_Az09-_Az09", "Az09-_Az09-_Az09", MiB(16));
	accepted("/x name=0", "0", MiB(16));
	/* The bounds of mem. */
	accepted("/x name=lo mem=2M", "lo", MiB(2));
	accepted("/x name=hi mem=64G", "hi", GiB(64));
	accepted("/x name=k mem=2048k", "k", MiB(2));
	accepted("/x name=g mem=1g", "g", GiB(1));
	accepted("/x name=m mem=0x1000m", "m", GiB(4));
}

static void test_default_mem(void **state)
{
	(void)state;
	accepted("/boot/hello.elf name=hello", "hello", MiB(16));
	accepted("name=solo", "solo", MiB(16));
}

/* Only the first word may be a path. */
static void test_path_only_first(void **state)
{
	(void)state;
	refused("name=a /boot/x.elf", "'/boot/x.elf' is not of the form key=value");
	refused("/boot/x.elf /boot/y.elf name=a", "'/boot/y.elf' is not of the form key=value");
	/* A first word that is not a path is a word like any other. */
	refused("boot/x.elf name=a", "'boot/x.elf' is not of the form key=value");
}

/* ---- config_parse_module: refusals -------------------------------------- */

static void test_mem_range(void **state)
{
	(void)state;
	refused("/x name=a mem=1M", "mem: 1M is outside 2M..64G");
	refused("/x name=a mem=0", "mem: 0 is outside 2M..64G");
	refused("/x name=a mem=0M", "mem: 0M is outside 2M..64G");
	refused("/x name=a mem=2046K", "mem: 2046K is outside 2M..64G");
	refused("/x name=a mem=66G", "mem: 66G is outside 2M..64G");
	refused("/x name=a mem=65538M", "mem: 65538M is outside 2M..64G");
	refused("/x name=a mem=17179869183G", "mem: 17179869183G is outside 2M..64G");
}

static void test_mem_not_multiple(void **state)
{
	(void)state;
	refused("/x name=a mem=3M", "mem: 3M is not a multiple of 2M");
	refused("/x name=a mem=2049K", "mem: 2049K is not a multiple of 2M");
	refused("/x name=a mem=0x300000", "mem: 0x300000 is not a multiple of 2M");
	refused("/x name=a mem=16777217", "mem: 16777217 is not a multiple of 2M");
	refused("/x name=a mem=63M", "mem: 63M is not a multiple of 2M");
}

static void test_mem_junk(void **state)
{
	(void)state;
	refused("/x name=a mem=", "mem: '' is not a size in 2M..64G (like 16M or 1G)");
	refused("/x name=a mem=big", "mem: 'big' is not a size in 2M..64G (like 16M or 1G)");
	refused("/x name=a mem=16MB", "mem: '16MB' is not a size in 2M..64G (like 16M or 1G)");
	refused("/x name=a mem=1.5G", "mem: '1.5G' is not a size in 2M..64G (like 16M or 1G)");
	refused("/x name=a mem=-16M", "mem: '-16M' is not a size in 2M..64G (like 16M or 1G)");
	refused("/x name=a mem=16M=", "mem: '16M=' is not a size in 2M..64G (like 16M or 1G)");
	refused("/x name=a mem=99999999999999999999G",
		"mem: '99999999999999999999G' is not a size in 2M..64G (like 16M or 1G)");
	refused("/x name=a mem=17179869184G",
		"mem: '17179869184G' is not a size in 2M..64G (like 16M or 1G)");
}

static void test_name_too_long(void **state)
{
	(void)state;
	refused("/x name=abcdefghijklmnopq mem=16M", "name: must be 1 to 16 characters");
	refused("/x name=abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz",
		"name: must be 1 to 16 characters");
}

static void test_name_empty(void **state)
{
	(void)state;
	refused("/x name= mem=16M", "name: must be 1 to 16 characters");
	refused("/x name=", "name: must be 1 to 16 characters");
}

static void test_name_bad_characters(void **state)
{
	(void)state;
	refused("/x name=a.b", "name: 'a.b' may only use letters, digits, '-' and '_'");
	refused("/x name=a/b", "name: 'a/b' may only use letters, digits, '-' and '_'");
	refused("/x name=a=b", "name: 'a=b' may only use letters, digits, '-' and '_'");
	refused("/x name=caf\xc3\xa9", "name: 'caf\xc3\xa9' may only use letters, digits, "
				       "'-' and '_'");
	refused("/x name=[a]", "name: '[a]' may only use letters, digits, '-' and '_'");
	refused("/x name=a:b mem=4M", "name: 'a:b' may only use letters, digits, '-' and '_'");
}

static void test_name_missing(void **state)
{
	(void)state;
	refused("/boot/x.elf mem=16M", "name: missing (every partition needs name=<id>)");
	refused("/boot/x.elf", "name: missing (every partition needs name=<id>)");
	refused("", "name: missing (every partition needs name=<id>)");
	refused(" \t ", "name: missing (every partition needs name=<id>)");
}

static void test_unknown_key(void **state)
{
	(void)state;
	refused("/x name=a colour=2", "unknown key 'colour'");
	refused("/x name=a cpu=2", "unknown key 'cpu'");
	refused("/x name=a Weight=2", "unknown key 'Weight'");
	refused("/x Name=a", "unknown key 'Name'");
	refused("/x names=a", "unknown key 'names'");
	refused("/x nam=a", "unknown key 'nam'");
	refused("/x memory=16M name=a", "unknown key 'memory'");
	refused("/x =16M name=a", "unknown key ''");
}

static void test_word_without_equals(void **state)
{
	(void)state;
	refused("/x name=a hello", "'hello' is not of the form key=value");
	refused("/x name", "'name' is not of the form key=value");
	refused("/x mem 16M name=a", "'mem' is not of the form key=value");
}

/* ---- cpus=, weight=, cap=, on_crash=, restart_limit= -------------------- */

static void cpus_ok(const char *s, u64 want)
{
	u64 v = UNTOUCHED;
	int err = config_parse_cpus(s, strlen(s), &v);
	if (err != 0 || v != want)
		print_message("cpus \"%s\": err %d set 0x%llx, want 0x%llx\n", s, err,
			      (unsigned long long)v, (unsigned long long)want);
	assert_int_equal(err, 0);
	assert_true(v == want);
}

static void cpus_bad(const char *s, int want_err)
{
	u64 v = UNTOUCHED;
	int err = config_parse_cpus(s, strlen(s), &v);
	if (err != want_err)
		print_message("cpus \"%s\": err %d, want %d\n", s, err, want_err);
	assert_int_equal(err, want_err);
	assert_true(v == UNTOUCHED); /* nothing stored on failure */
}

static void test_cpus_lists(void **state)
{
	(void)state;
	cpus_ok("0", 0x1);
	cpus_ok("1", 0x2);
	cpus_ok("0,1", 0x3);
	cpus_ok("0-3", 0xf);
	cpus_ok("1,3-5", 0x3a);
	cpus_ok("5-5", 0x20);
	cpus_ok("63", 1ull << 63);
	cpus_ok("0-63", ~0ull);
	cpus_ok("62-63,0", (3ull << 62) | 1);
	cpus_ok("2,2,1-2", 0x6); /* repeats are harmless */
	cpus_ok("007", 0x80);	 /* decimal, leading zeros allowed */
	/* Only len characters count. */
	u64 v;
	assert_int_equal(config_parse_cpus("1,2junk", 3, &v), 0);
	assert_true(v == 0x6);
}

static void test_cpus_malformed(void **state)
{
	(void)state;
	cpus_bad("", -EINVAL);
	cpus_bad(",", -EINVAL);
	cpus_bad("0,", -EINVAL);
	cpus_bad(",0", -EINVAL);
	cpus_bad("0,,1", -EINVAL);
	cpus_bad("-1", -EINVAL);
	cpus_bad("1-", -EINVAL);
	cpus_bad("1--2", -EINVAL);
	cpus_bad("1-2-3", -EINVAL);
	cpus_bad("3-1", -EINVAL); /* backward */
	cpus_bad("a", -EINVAL);
	cpus_bad("0x1", -EINVAL);
	cpus_bad("1 2", -EINVAL);
	cpus_bad("1;2", -EINVAL);
	cpus_bad("+1", -EINVAL);
}

static void test_cpus_out_of_range(void **state)
{
	(void)state;
	cpus_bad("64", -ERANGE);
	cpus_bad("0-64", -ERANGE);
	cpus_bad("1,100", -ERANGE);
	cpus_bad("99999999999999999999999999", -ERANGE);
	cpus_bad("64-1", -ERANGE); /* the index is checked before the order */
}

static void test_sched_keys_defaults(void **state)
{
	(void)state;
	accepted("/x name=d", "d", MiB(16));
	assert_true(cfg.cpus == 0); /* not pinned: placed by load */
	assert_int_equal(cfg.weight, 256);
	assert_int_equal(cfg.cap, 100);
	assert_int_equal(cfg.on_crash, ON_CRASH_STOP);
	assert_int_equal(cfg.restart_limit, 3);
	assert_int_equal(cfg.vcpus, 1);
}

/* vcpus=: 1 to CONFIG_VCPUS_MAX; the rest refused by name. */
static void test_vcpus(void **state)
{
	(void)state;
	accepted("/x name=v vcpus=2", "v", MiB(16));
	assert_int_equal(cfg.vcpus, 2);
	accepted("/x name=v vcpus=8", "v", MiB(16));
	assert_int_equal(cfg.vcpus, 8);
	refused("/x name=v vcpus=0", "vcpus: 0 is outside 1..8");
	refused("/x name=v vcpus=9", "vcpus: 9 is outside 1..8");
	refused("/x name=v vcpus=two", "vcpus: 'two' is not a number in 1..8");
}

static void test_sched_keys_accepted(void **state)
{
	(void)state;
	accepted("/x name=p cpus=1,3-5 weight=1 cap=20 on_crash=restart restart_limit=0 mem=2M",
		 "p", MiB(2));
	assert_true(cfg.cpus == 0x3a);
	assert_int_equal(cfg.weight, 1);
	assert_int_equal(cfg.cap, 20);
	assert_int_equal(cfg.on_crash, ON_CRASH_RESTART);
	assert_int_equal(cfg.restart_limit, 0);

	accepted("/x weight=65535 cap=100 on_crash=stop restart_limit=1000 name=q", "q", MiB(16));
	assert_int_equal(cfg.weight, 65535);
	assert_int_equal(cfg.cap, 100);
	assert_int_equal(cfg.on_crash, ON_CRASH_STOP);
	assert_int_equal(cfg.restart_limit, 1000);

	accepted("/x name=r cap=1 weight=0x100 cpus=63", "r", MiB(16));
	assert_int_equal(cfg.cap, 1);
	assert_int_equal(cfg.weight, 256);
	assert_true(cfg.cpus == 1ull << 63);

	/* A later word wins, as with mem=. */
	accepted("/x name=s on_crash=restart on_crash=stop cpus=0 cpus=2", "s", MiB(16));
	assert_int_equal(cfg.on_crash, ON_CRASH_STOP);
	assert_true(cfg.cpus == 0x4);
}

static void test_sched_keys_refused(void **state)
{
	(void)state;
	refused("/x name=a cpus=", "cpus: '' is not a CPU list (like 0, 0-3 or 1,3-5)");
	refused("/x name=a cpus=1,", "cpus: '1,' is not a CPU list (like 0, 0-3 or 1,3-5)");
	refused("/x name=a cpus=3-1", "cpus: '3-1' is not a CPU list (like 0, 0-3 or 1,3-5)");
	refused("/x name=a cpus=all", "cpus: 'all' is not a CPU list (like 0, 0-3 or 1,3-5)");
	refused("/x name=a cpus=64", "cpus: '64' names a CPU above 63");
	refused("/x name=a cpus=0-99", "cpus: '0-99' names a CPU above 63");

	refused("/x name=a weight=", "weight: '' is not a number in 1..65535");
	refused("/x name=a weight=heavy", "weight: 'heavy' is not a number in 1..65535");
	refused("/x name=a weight=-1", "weight: '-1' is not a number in 1..65535");
	refused("/x name=a weight=0", "weight: 0 is outside 1..65535");
	refused("/x name=a weight=65536", "weight: 65536 is outside 1..65535");
	refused("/x name=a weight=99999999999999999999", "weight: '99999999999999999999' is not a "
							 "number in 1..65535");

	refused("/x name=a cap=", "cap: '' is not a number in 1..100 (a percentage, without %)");
	refused("/x name=a cap=20%",
		"cap: '20%' is not a number in 1..100 (a percentage, without %)");
	refused("/x name=a cap=0", "cap: 0 is outside 1..100 (percent)");
	refused("/x name=a cap=101", "cap: 101 is outside 1..100 (percent)");

	refused("/x name=a on_crash=", "on_crash: '' is neither stop nor restart");
	refused("/x name=a on_crash=Restart", "on_crash: 'Restart' is neither stop nor restart");
	refused("/x name=a on_crash=reboot", "on_crash: 'reboot' is neither stop nor restart");
	refused("/x name=a on_crash=stopp", "on_crash: 'stopp' is neither stop nor restart");

	refused("/x name=a restart_limit=", "restart_limit: '' is not a number in 0..1000");
	refused("/x name=a restart_limit=many", "restart_limit: 'many' is not a number in 0..1000");
	refused("/x name=a restart_limit=1001", "restart_limit: 1001 is outside 0..1000");
}

/* The first mistake is the one reported, and the sentence fits a short buffer. */
/* ---- after= ------------------------------------------------------------ */

static void test_after_key(void **state)
{
	(void)state;
	accepted("/x name=d", "d", MiB(16));
	assert_string_equal(cfg.after, ""); /* starts at boot */
	accepted("/x name=reader after=writer", "reader", MiB(16));
	assert_string_equal(cfg.after, "writer");
	accepted("/x after=a-b_0123456789ab name=c", "c", MiB(16));
	assert_string_equal(cfg.after, "a-b_0123456789ab"); /* 16 characters */
	refused("/x name=a after=", "after: must be 1 to 16 characters");
	refused("/x name=a after=a23456789abcdefgh", "after: must be 1 to 16 characters");
	refused("/x name=a after=b.c", "after: 'b.c' may only use letters, digits, '-' and '_'");
	refused("/x name=a after=a", "after: a partition cannot wait for itself");
	refused("/x after=a name=a", "after: a partition cannot wait for itself");
}

static void test_first_mistake_and_short_buffer(void **state)
{
	(void)state;
	refused("/x mem=3M name=a.b", "mem: 3M is not a multiple of 2M");
	refused("/x name=a.b mem=3M", "name: 'a.b' may only use letters, digits, '-' and '_'");

	char small[8];
	memset(small, 'z', sizeof(small));
	assert_int_equal(config_parse_module("/x colour=2", &cfg, small, sizeof(small)), -EINVAL);
	assert_string_equal(small, "unknown");
}

/* ---- the guest's command line after "--" ------------------------------- */

static void test_args_after_separator(void **state)
{
	(void)state;
	accepted("/x name=a", "a", MiB(16));
	assert_string_equal(cfg.args, ""); /* no "--": no command line */
	accepted("/x name=k mem=64M -- console=ttyS0 quiet", "k", MiB(64));
	assert_string_equal(cfg.args, "console=ttyS0 quiet");
	/* Exactly the text after "--" and one blank: the rest is kept as it is. */
	accepted("name=k --  two  spaces\tand a tab ", "k", MiB(16));
	assert_string_equal(cfg.args, " two  spaces\tand a tab ");
	accepted("name=k --\tx", "k", MiB(16));
	assert_string_equal(cfg.args, "x");
	accepted("name=k --", "k", MiB(16));
	assert_string_equal(cfg.args, "");
	accepted("name=k -- ", "k", MiB(16));
	assert_string_equal(cfg.args, "");
	/* It points into the line itself. */
	{
		static const char line[] = "name=k -- root=/dev/ram0";
		accepted(line, "k", MiB(16));
		assert_ptr_equal(cfg.args, line + 10);
	}
}

static void test_args_are_not_keys(void **state)
{
	(void)state;
	/* After "--" nothing is parsed: keys, junk, another "--". */
	accepted("name=k -- mem=3M colour=red name=z -- for=x", "k", MiB(16));
	assert_string_equal(cfg.args, "mem=3M colour=red name=z -- for=x");
	/* The keys before it still are. */
	refused("name=k mem=3M -- quiet", "mem: 3M is not a multiple of 2M");
	refused("mem=4M -- name=k", "name: missing (every partition needs name=<id>)");
	/* A word that only starts with "--" is no separator. */
	refused("name=k --quiet", "'--quiet' is not of the form key=value");
	refused("name=k --- x", "'---' is not of the form key=value");
	refused("name=k --=x", "unknown key '--'");
}

/* ---- module lines: for=<name> ----------------------------------------- */

static char target[PARTITION_NAME_MAX + 1];

static int attach(const char *str)
{
	memset(target, 'q', sizeof(target));
	memset(why, 0, sizeof(why));
	return config_parse_attach(str, target, why, sizeof(why));
}

static void attach_refused(const char *str, const char *sentence)
{
	int err = attach(str);
	if (err != -EINVAL || strcmp(why, sentence) != 0)
		print_message("line: \"%s\"\nwhy:  \"%s\"\nwant: \"%s\"\n", str, why, sentence);
	assert_int_equal(err, -EINVAL);
	assert_string_equal(why, sentence);
}

static void test_attach_lines(void **state)
{
	(void)state;
	assert_int_equal(attach("for=linux"), 1);
	assert_string_equal(target, "linux");
	assert_int_equal(attach("/boot/initrd.img for=a-b_0123456789ab"), 1);
	assert_string_equal(target, "a-b_0123456789ab");
	assert_int_equal(attach("  for=x  "), 1);
	assert_string_equal(target, "x");
	assert_int_equal(attach("for=x for=y"), 1); /* as for any key, the later word wins */
	assert_string_equal(target, "y");
}

static void test_attach_not_a_module_line(void **state)
{
	(void)state;
	/* No for= word before "--": a partition line, for config_parse_module. */
	assert_int_equal(attach("name=a mem=4M"), 0);
	assert_int_equal(attach(""), 0);
	assert_int_equal(attach("name=a -- for=x"), 0);
	assert_int_equal(attach("name=a fore=x"), 0);
	assert_int_equal(attach("name=a xfor=x"), 0);
	assert_string_equal(why, "");
}

static void test_attach_refused(void **state)
{
	(void)state;
	attach_refused("for=a name=b", "for: a module line takes no other word than for= (here "
				       "'name=b')");
	attach_refused("mem=4M for=a", "for: a module line takes no other word than for= (here "
				       "'mem=4M')");
	attach_refused("for=a -- x",
		       "for: a module line takes no other word than for= (here '--')");
	attach_refused("for=a junk", "for: a module line takes no other word than for= (here "
				     "'junk')");
	attach_refused("for=", "for: must be 1 to 16 characters");
	attach_refused("for=a23456789abcdefgh", "for: must be 1 to 16 characters");
	attach_refused("for=a.b", "for: 'a.b' may only use letters, digits, '-' and '_'");
	/* A path is only skipped as the first word. */
	attach_refused("for=a /boot/x", "for: a module line takes no other word than for= (here "
					"'/boot/x')");
	/* And config_parse_module refuses for= among other keys too. */
	refused("name=a for=b", "for: a module line takes no other key than for=");
}

static void test_line_name_and_path(void **state)
{
	char name[PARTITION_NAME_MAX + 1];
	const char *path;
	size_t len = 99;

	(void)state;
	assert_true(config_line_name("/x mem=3M name=lin colour=red", name));
	assert_string_equal(name, "lin"); /* found even though the line is refused */
	assert_true(config_line_name("name=a name=b", name));
	assert_string_equal(name, "b");
	assert_true(config_line_name("name=a name=b.c", name));
	assert_string_equal(name, "a"); /* the last valid one */
	assert_false(config_line_name("mem=4M -- name=x", name));
	assert_false(config_line_name("name= name=a23456789abcdefgh", name));

	path = config_line_path("/boot/k.elf name=a", &len);
	assert_non_null(path);
	assert_int_equal(len, strlen("/boot/k.elf"));
	assert_true(!strncmp(path, "/boot/k.elf", len));
	path = config_line_path("(hd0,gpt2)/k for=a", &len);
	assert_int_equal(len, strlen("(hd0,gpt2)/k"));
	assert_null(config_line_path("name=a /boot/k.elf", &len));
	assert_null(config_line_path("", &len));
}

/* ---- every problem of a line (config_check_module) ------------------- */

#define PROBLEMS_MAX 8
static char problems[PROBLEMS_MAX][CONFIG_WHY_MAX];
static unsigned nproblems;

static void collect(void *ctx, const char *text)
{
	assert_ptr_equal(ctx, &nproblems);
	assert_true(strlen(text) < CONFIG_WHY_MAX);
	if (nproblems < PROBLEMS_MAX)
		memcpy(problems[nproblems], text, strlen(text) + 1);
	nproblems++;
}

/* str must have exactly the problems of want (NULL-terminated), in order; the first is
 * config_parse_module's. */
static void check_all(const char *str, const char *const want[])
{
	struct partition_config all;
	unsigned n = 0;

	while (want[n])
		n++;
	nproblems = 0;
	memset(&all, 0xa5, sizeof(all));
	assert_int_equal(config_check_module(str, &all, collect, &nproblems), n);
	assert_int_equal(nproblems, n);
	for (unsigned i = 0; i < n; i++)
		assert_string_equal(problems[i], want[i]);
	assert_int_equal(parse(str), n ? -EINVAL : 0);
	assert_string_equal(why, n ? want[0] : "");
}

#define PROBLEMS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void test_check_every_problem(void **state)
{
	(void)state;

	/* A good line: no call, the same configuration as config_parse_module. */
	check_all("/x name=ok mem=4M cpus=1 weight=2 -- mem=3M colour=red",
		  (const char *const[]){ NULL });
	assert_string_equal(cfg.name, "ok");

	/* Each bad word once, in the order of the words; the good ones between are taken. */
	check_all("/x name=a mem=3M cpus=1 weight=0 colour=red -- weight=0",
		  PROBLEMS("mem: 3M is not a multiple of 2M", "weight: 0 is outside 1..65535",
			   "unknown key 'colour'"));

	/* A line with every kind of mistake: each bad value, each bad word, then the name. */
	check_all("junk mem=lots cpus=0,64 cap=50% on_crash=reboot restart_limit=1001 vcpus=9",
		  PROBLEMS("'junk' is not of the form key=value",
			   "mem: 'lots' is not a size in 2M..64G (like 16M or 1G)",
			   "cpus: '0,64' names a CPU above 63",
			   "cap: '50%' is not a number in 1..100 (a percentage, without %)",
			   "on_crash: 'reboot' is neither stop nor restart",
			   "restart_limit: 1001 is outside 0..1000", "vcpus: 9 is outside 1..8",
			   "name: missing (every partition needs name=<id>)"));

	/* A bad name= is its problem, not a missing name as well; nor is the name its after=. */
	const char *const *bad_name =
		PROBLEMS("name: 'a.b' may only use letters, digits, '-' and '_'");
	check_all("name=a.b mem=2M", bad_name);
	check_all("name=a.b name=ok", bad_name);
	check_all("name=ok name=a.b", bad_name);
	check_all("name= after=", PROBLEMS("name: must be 1 to 16 characters",
					   "after: must be 1 to 16 characters"));

	/* after= its own name comes last, after the words' own problems. */
	check_all("name=me weight=x after=me",
		  PROBLEMS("weight: 'x' is not a number in 1..65535",
			   "after: a partition cannot wait for itself"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_units),
		cmocka_unit_test(test_size_hex),
		cmocka_unit_test(test_size_junk),
		cmocka_unit_test(test_size_overflow),
		cmocka_unit_test(test_path_name_mem),
		cmocka_unit_test(test_default_mem),
		cmocka_unit_test(test_path_only_first),
		cmocka_unit_test(test_mem_range),
		cmocka_unit_test(test_mem_not_multiple),
		cmocka_unit_test(test_mem_junk),
		cmocka_unit_test(test_name_too_long),
		cmocka_unit_test(test_name_empty),
		cmocka_unit_test(test_name_bad_characters),
		cmocka_unit_test(test_name_missing),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_word_without_equals),
		cmocka_unit_test(test_cpus_lists),
		cmocka_unit_test(test_cpus_malformed),
		cmocka_unit_test(test_cpus_out_of_range),
		cmocka_unit_test(test_sched_keys_defaults),
		cmocka_unit_test(test_sched_keys_accepted),
		cmocka_unit_test(test_sched_keys_refused),
		cmocka_unit_test(test_after_key),
		cmocka_unit_test(test_first_mistake_and_short_buffer),
		cmocka_unit_test(test_args_after_separator),
		cmocka_unit_test(test_args_are_not_keys),
		cmocka_unit_test(test_attach_lines),
		cmocka_unit_test(test_attach_not_a_module_line),
		cmocka_unit_test(test_attach_refused),
		cmocka_unit_test(test_line_name_and_path),
		cmocka_unit_test(test_vcpus),
		cmocka_unit_test(test_check_every_problem),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
