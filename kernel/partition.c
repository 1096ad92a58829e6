/*
 * Partition life cycle.  Creation turns GRUB modules into running
 * partitions: parse every line (a partition line, or a for= line that
 * attaches its file to an earlier partition), then for each partition
 * take RAM in 2 MiB runs, map it with SLAT, check that its image loads
 * (a dry run that writes nothing) and set up the vCPU.  The image is a
 * Multiboot1 ELF (kernel/loader.c) or a Linux bzImage (kernel/linux.c),
 * told apart by their magic.  A failure at any step is explained in one
 * line and undone; the other partitions are unaffected.
 *
 * Scrubbing RAM takes time in proportion to its size (up to 64 GiB), so
 * it is never done in one go: it is the partition's pending work
 * (p->work), which the scheduler does in the partition's own slices,
 * 2 MiB at a time, taking interrupts in between (partition_work).  A
 * new or restarted partition first scrubs its RAM and loads its image
 * for real (WORK_LOAD), then its guest runs; a stopping one scrubs its
 * RAM and gives it back (WORK_STOP), then it is stopped for good.  The
 * time is charged to the partition, and no exit or scheduler step holds
 * a CPU for more than a slice.  A partition with
 * after=<name> waits, holding nothing but its slot, until that one has
 * stopped; the scheduler then starts it (kernel/sched.c), often in the
 * very frames the other one left.  Stopping flushes the
 * console, destroys the vCPU and SLAT, scrubs the RAM and frees it.
 * A crash under on_crash=restart instead scrubs the RAM in place, loads
 * the image again from its module and starts a fresh vCPU, until the
 * partition's restart_limit is used up.  At start each partition's
 * hypervisor memory overhead (everything but its RAM) is reported.
 */
#include "kernel/partition.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/linux.h"
#include "kernel/loader.h"
#include "kernel/mb2.h"
#include "kernel/memory.h"
#include "kernel/paging.h"
#include "kernel/virt.h"
#include "kernel/xstate.h"
#include "lib/format.h"
#include "lib/lib.h"
#include "vdev/layout.h"

struct partition partitions[MAX_PARTITIONS];
extern struct boot_info boot_info;

u64 slat_alloc_table(void)
{
	return frame_alloc_zeroed();
}
void slat_free_table(u64 phys)
{
	frame_free(&frames, phys, 1);
}

bool guest_range_ok(const struct partition *p, u64 gpa, u64 len)
{
	return range_within(gpa, len, p->cfg.mem);
}

/* Copy to or from guest-physical memory, page by page through the SLAT. */
static int guest_copy(struct partition *p, u64 gpa, void *buf, u64 len, bool write)
{
	/* lab 8: copy to or from guest-physical memory, page by page through the SLAT */
	u8 *b = buf;

	if (!guest_range_ok(p, gpa, len))
		return -EFAULT;
	while (len) {
		u64 hpa, n = MIN(len, FRAME_SIZE - (gpa & (FRAME_SIZE - 1)));
		if (slat_translate(&p->slat, virt->slat, gpa, &hpa) < 0)
			return -EFAULT;
		if (write)
			memcpy(phys_to_virt(hpa), b, n);
		else
			memcpy(b, phys_to_virt(hpa), n);
		gpa += n, b += n, len -= n;
	}
	return 0;
	/* lab 8: end */
}

int guest_read(struct partition *p, u64 gpa, void *dst, u64 len)
{
	return guest_copy(p, gpa, dst, len, false);
}

int guest_write(struct partition *p, u64 gpa, const void *src, u64 len)
{
	return guest_copy(p, gpa, (void *)src, len, true);
}

static int loader_write(void *ctx, u64 gpa, const void *src, u64 len)
{
	return guest_write(ctx, gpa, src, len);
}

/* The dry run's writer: checks what guest_write would, writes nothing. */
static int loader_check(void *ctx, u64 gpa, const void *src, u64 len)
{
	(void)src;
	return guest_range_ok(ctx, gpa, len) ? 0 : -EFAULT;
}

static u64 chunk_list_frames(u32 nchunks)
{
	return ALIGN_UP(nchunks * sizeof(u64), FRAME_SIZE) / FRAME_SIZE;
}

/* Give p's RAM back to the frame allocator (scrubbed first, unless no guest ever ran in it). */
static void free_ram(struct partition *p)
{
	for (u32 i = 0; i < p->nchunks; i++)
		if (p->chunks[i])
			frame_free(&frames, p->chunks[i], RAM_CHUNK / FRAME_SIZE);
	if (p->chunks)
		frame_free(&frames, virt_to_phys(p->chunks), chunk_list_frames(p->nchunks));
	p->chunks = NULL;
	p->nchunks = 0;
}

/* v's VMCS or VMCB and FPU state: on v's own CPU once it has run (kernel/sched.c). */
static void release_vcpu(struct vcpu *v)
{
	if (v->vmcs)
		virt->vcpu_destroy(v);
	xstate_vcpu_free(v);
}

void partition_vcpu_retire(struct vcpu *v)
{
	release_vcpu(v);
	v->retired = true;
}

/*
 * What p holds besides its RAM and its vCPUs: its console and SLAT.
 * No vCPU of p may be in the guest any more.
 */
static void release(struct partition *p)
{
	pconsole_flush(&p->console); /* what a vCPU wrote after the stop's own flush */
	pconsole_close(&p->console);
	if (p->slat.root)
		slat_destroy(&p->slat, virt->slat);
}

static int alloc_ram(struct partition *p)
{
	u32 n = (u32)(p->cfg.mem / RAM_CHUNK);
	u64 list_frames = chunk_list_frames(n);
	u64 list = frame_alloc_run(&frames, list_frames, FRAME_SIZE);

	if (!list)
		return -ENOMEM;
	p->chunks = phys_to_virt(list);
	memset(p->chunks, 0, list_frames * FRAME_SIZE);
	p->nchunks = n;
	for (u32 i = 0; i < n; i++) {
		p->chunks[i] = frame_alloc_run(&frames, RAM_CHUNK / FRAME_SIZE, RAM_CHUNK);
		if (!p->chunks[i])
			return -ENOMEM;
		/* Scrubbed by the partition's first work, before its guest runs (WORK_LOAD). */
	}
	return 0;
}

/* Bit i set: CPU i is online (cpus= names CPUs by these indices). */
static u64 online_cpus(void)
{
	u64 set = 0;
	for (u32 i = 0; i < MAX_CPUS && i < 64; i++)
		if (percpus[i].online)
			set |= 1ull << i;
	return set;
}

/* Where a module's file name is: the leading path of its line, if the loader passed one. */
static size_t module_path(const struct boot_module *m, const char **path)
{
	size_t len = 0;

	*path = config_line_path(m->cmdline, &len);
	return *path ? len : 0;
}

/*
 * Load p's image into its RAM, with what its guest is given (or, with
 * dry, check that all of it would go well and write nothing), and fill
 * the vCPU's entry state.  The image's magic picks the loader: a Linux
 * bzImage (kernel/linux.c) or a Multiboot1 ELF (kernel/loader.c).  kind
 * names what was loaded, for the started line.  On failure says why in
 * why, prefixed as the caller's line needs.
 */
static int load_image(struct partition *p, bool dry, struct vcpu_boot_state *boot, char *kind,
		      size_t kindlen, char *why, size_t whylen)
{
	_Static_assert(CONFIG_MODULES_MAX <= MB1_MODULES_MAX, "a Multiboot guest takes them all");
	int (*write)(void *, u64, const void *, u64) = dry ? loader_check : loader_write;
	const struct boot_module *m = p->module;
	const u8 *img = phys_to_virt(m->start);
	u64 size = m->end - m->start;
	struct guest_module mods[CONFIG_MODULES_MAX];
	char detail[120];

	for (u32 i = 0; i < p->nattached; i++) {
		const struct boot_module *a = p->attached[i];
		mods[i] =
			(struct guest_module){ phys_to_virt(a->start), a->end - a->start, NULL, 0 };
		mods[i].name_len = module_path(a, &mods[i].name);
	}
	if (linux_is_bzimage(img, size)) {
		struct linux_image li;
		if (p->nattached > 1) {
			format(why, whylen,
			       "%s: a Linux guest takes one initrd; %u modules are attached",
			       m->cmdline, p->nattached);
			return -EINVAL;
		}
		if (linux_load(img, size, p->cfg.mem, p->cfg.args, p->nattached ? &mods[0] : NULL,
			       write, p, &li, boot, detail, sizeof(detail)) < 0) {
			format(why, whylen, "%s: %s", m->cmdline, detail);
			return -EINVAL;
		}
		format(kind, kindlen, "Linux bzImage, boot protocol %u.%02u", li.version >> 8,
		       li.version & 0xff);
	} else {
		/* As `qemu -kernel -append`: a file name, a space, the text after "--". */
		struct mb1_boot b = { NULL, 0, p->cfg.args, mods, p->nattached };
		struct mb1_image mb;
		u32 info;
		if (mb1_load(img, size, p->cfg.mem, write, p, &mb, detail, sizeof(detail)) < 0) {
			format(why, whylen, "%s: %s", m->cmdline, detail);
			return -EINVAL;
		}
		/* GRUB passes no file name: the partition's name stands for it. */
		b.name_len = module_path(m, &b.name);
		if (!b.name) {
			b.name = p->cfg.name;
			b.name_len = strlen(p->cfg.name);
		}
		info = mb1_write_boot(&mb, p->cfg.mem, &b, write, p, detail, sizeof(detail));
		if (!info) {
			format(why, whylen, "%s", detail);
			return -EINVAL;
		}
		*boot = (struct vcpu_boot_state){ .eip = mb.entry,
						  .eax = MB1_BOOT_MAGIC,
						  .ebx = info };
		format(kind, kindlen, "%s image", mb.elf64 ? "ELF64" : "ELF32");
	}
	return 0;
}

void partition_overhead(const struct partition *p, struct partition_overhead *o)
{
	o->slat = (u64)p->slat.tables * FRAME_SIZE;
	o->vcpu = o->xstate = 0;
	for (u32 i = 0; i < p->nvcpus; i++) {
		o->vcpu += p->vcpus[i].vmcs ? FRAME_SIZE : 0;	       /* a VMCS or VMCB page */
		o->xstate += p->vcpus[i].xstate.area ? FRAME_SIZE : 0; /* an FPU/SSE/AVX image */
	}
	o->ram_list = chunk_list_frames(p->nchunks) * FRAME_SIZE;
	o->record = sizeof(struct partition); /* its slot in partitions[], console included */
	/* The console history ring, once it exists, is reported on its own line by pconsole. */
	o->total = o->slat + o->vcpu + o->xstate + o->ram_list + o->record;
}

static void report_overhead(const struct partition *p)
{
	struct partition_overhead o;

	partition_overhead(p, &o);
	klog("partition %s: overhead %llu KiB (SLAT %llu KiB, VMCS/VMCB %llu KiB, FPU state %llu "
	     "KiB, RAM list %llu KiB, record %llu bytes)",
	     p->cfg.name, (unsigned long long)(ALIGN_UP(o.total, KiB(1)) / KiB(1)),
	     (unsigned long long)(o.slat / KiB(1)), (unsigned long long)(o.vcpu / KiB(1)),
	     (unsigned long long)(o.xstate / KiB(1)), (unsigned long long)(o.ram_list / KiB(1)),
	     (unsigned long long)o.record);
}

/* The partition (started, waiting or stopped) named name, or NULL. */
static struct partition *find(const char *name)
{
	for (u32 i = 0; i < MAX_PARTITIONS; i++)
		if (partitions[i].state != PARTITION_FREE && !strcmp(partitions[i].cfg.name, name))
			return &partitions[i];
	return NULL;
}

/*
 * Give p, whose slot, id, configuration and module are set, everything
 * it runs with, and make it runnable (partition.h).
 */
int partition_start(struct partition *p)
{
	const char *name = p->cfg.name;
	char why[160], kind[48];

	if (pconsole_init(&p->console, name) < 0) {
		klog("partition %s: not started: out of hypervisor memory for its console history",
		     name);
		goto fail;
	}
	if (alloc_ram(p) < 0) {
		klog("partition %s: not started: not enough free RAM for mem=%lluM", name,
		     (unsigned long long)(p->cfg.mem >> 20));
		goto fail;
	}
	if (slat_init(&p->slat, false) < 0)
		goto nomem;
	/* All of [0, mem) but the APIC window, whose accesses trap (kernel/platform.c). */
	for (u32 i = 0; i < p->nchunks; i++)
		if (!guest_apic_window((u64)i * RAM_CHUNK) &&
		    slat_map(&p->slat, virt->slat, (u64)i * RAM_CHUNK, p->chunks[i], RAM_CHUNK) < 0)
			goto nomem;
	if (load_image(p, true, &p->boot, kind, sizeof(kind), why, sizeof(why)) < 0) {
		klog("partition %s: not started: %s", name, why);
		goto fail;
	}
	for (u32 i = 0; i < p->nvcpus; i++) {
		struct vcpu *v = &p->vcpus[i];

		v->partition = p;
		v->index = i;
		if (virt->vcpu_create(v, p->slat.root, p->id + MAX_PARTITIONS * i) < 0 ||
		    xstate_vcpu_init(v) < 0) {
			klog("partition %s: not started: its vCPU %u could not be created", name,
			     i);
			goto fail;
		}
		virt->vcpu_reset(v, &p->boot); /* its local APIC: by the load (partition_work) */
	}
	p->state = PARTITION_RUNNABLE;
	p->work = WORK_LOAD; /* scrub, load, then run: in its own slices */
	p->scrub_next = 0;
	pconsole_start(&p->console, p->id - 1);
	klog("partition %s: started (%llu MiB, host RAM from 0x%llx, %s, entry 0x%x)", name,
	     (unsigned long long)(p->cfg.mem >> 20), (unsigned long long)p->chunks[0], kind,
	     p->boot.eip);
	report_overhead(p);
	return 0;
nomem:
	klog("partition %s: not started: out of hypervisor memory for its tables", name);
fail:
	for (u32 i = 0; i < p->nvcpus; i++)
		release_vcpu(&p->vcpus[i]); /* never run: no CPU holds them */
	release(p);
	free_ram(p);		      /* no guest ran in it: nothing to scrub yet */
	p->state = PARTITION_STOPPED; /* it never ran; whoever waits for it starts */
	return -1;
}

/*
 * The names of the partition lines refused at boot, so that a module
 * naming one of them says why it is skipped.  Only partition_create_all
 * uses it, on the boot CPU.
 */
static struct {
	char names[BOOT_MAX_MODULES][PARTITION_NAME_MAX + 1];
	u32 count;
} refused;

/* Log the refusal of partition line index and remember its name, if it has one. */
static void refuse(const struct boot_module *m, u32 index, const char *why)
{
	if (why)
		klog(CONFIG_REFUSED, index, m->cmdline, why);
	if (refused.count < BOOT_MAX_MODULES &&
	    config_line_name(m->cmdline, refused.names[refused.count]))
		refused.count++;
}

static bool was_refused(const char *name)
{
	for (u32 i = 0; i < refused.count; i++)
		if (!strcmp(refused.names[i], name))
			return true;
	return false;
}

/* A for= line: attach m to the partition it names, or say why not. */
static void attach(const struct boot_module *m, u32 index, const char *target)
{
	struct partition *p = find(target);
	char why[160];

	if (!p && was_refused(target))
		format(why, sizeof(why), CONFIG_FOR_REFUSED, target);
	else if (!p)
		format(why, sizeof(why), CONFIG_FOR_UNKNOWN, target);
	else if (p->nattached == CONFIG_MODULES_MAX)
		format(why, sizeof(why), CONFIG_FOR_FULL, target, CONFIG_MODULES_MAX);
	else {
		p->attached[p->nattached++] = m;
		return;
	}
	klog(CONFIG_MODULE_REFUSED, index, m->cmdline, why);
}

/*
 * One module line: a partition line gets a slot, left waiting until
 * partition_create_all starts it (or, with after=, until that partition
 * stops); a for= line is attached to its partition.
 */
static void create(const struct boot_module *m, u32 index)
{
	struct partition *p = NULL;
	struct partition_config cfg;
	char why[160], target[PARTITION_NAME_MAX + 1];
	int kind = config_parse_attach(m->cmdline, target, why, sizeof(why));

	if (kind < 0) {
		klog(CONFIG_MODULE_REFUSED, index, m->cmdline, why);
		return;
	}
	if (kind > 0) {
		attach(m, index, target);
		return;
	}
	if (config_parse_module(m->cmdline, &cfg, why, sizeof(why)) < 0) {
		refuse(m, index, why);
		return;
	}
	/* Only the machine knows which CPUs exist: a pin to none of them cannot run. */
	if (cfg.cpus && !(cfg.cpus & online_cpus())) {
		format(why, sizeof(why), CONFIG_CPUS_OFFLINE, cpus_online);
		refuse(m, index, why);
		return;
	}
	if (find(cfg.name)) {
		format(why, sizeof(why), CONFIG_NAME_USED, cfg.name);
		klog(CONFIG_REFUSED, index, m->cmdline, why); /* the name stays the earlier one's */
		return;
	}
	/* Only an earlier line can be waited for: no cycles. */
	if (cfg.after[0] && !find(cfg.after)) {
		format(why, sizeof(why), CONFIG_AFTER_UNKNOWN, cfg.after);
		refuse(m, index, why);
		return;
	}
	for (u32 i = 0; i < MAX_PARTITIONS && !p; i++)
		if (partitions[i].state == PARTITION_FREE)
			p = &partitions[i];
	if (!p) {
		klog("partition %s: not started: more than %u partitions", cfg.name,
		     MAX_PARTITIONS);
		refuse(m, index, NULL);
		return;
	}
	if (!virt) {
		klog("partition %s: not started: this machine cannot run partitions (no usable "
		     "VMX or SVM)",
		     cfg.name);
		refuse(m, index, NULL);
		return;
	}

	memset(p, 0, sizeof(*p));
	p->id = (u32)(p - partitions) + 1;
	p->cfg = cfg;
	p->nvcpus = cfg.vcpus;
	p->module = m;
	p->state = PARTITION_WAITING; /* for partition_create_all, or for cfg.after to stop */
	if (cfg.after[0])
		klog("partition %s: waits for %s to stop", cfg.name, cfg.after);
}

void partition_create_all(void)
{
	/* Every line first, so that a partition has its modules when it starts. */
	refused.count = 0;
	for (u32 i = 0; i < boot_info.nmodules; i++)
		create(&boot_info.modules[i], boot_info.modules[i].number);
	for (u32 i = 0; i < MAX_PARTITIONS; i++)
		if (partitions[i].state == PARTITION_WAITING && !partitions[i].cfg.after[0])
			partition_start(&partitions[i]);
}

struct partition *partition_waiting_for(const struct partition *stopped)
{
	for (u32 i = 0; i < MAX_PARTITIONS; i++) {
		struct partition *p = &partitions[i];
		if (p->state == PARTITION_WAITING && !strcmp(p->cfg.after, stopped->cfg.name))
			return p;
	}
	return NULL;
}

/*
 * Stop p, with its lock held.  Its vCPUs leave their CPUs (each CPU lets
 * its own go: kernel/sched.c), then its RAM is scrubbed and freed as
 * pending work of vCPU 0 (WORK_STOP), in its own slices, after which it
 * is stopped for good (PARTITION_STOPPED).
 */
static void stop(struct partition *p)
{
	pconsole_flush(&p->console);
	p->vcpus_retired = 0;
	p->work = WORK_STOP;
	p->scrub_next = 0;
	__atomic_store_n(&p->state, PARTITION_STOPPING, __ATOMIC_SEQ_CST);
}

static bool takes_event(const struct partition *p, bool stop_request)
{
	return p->state == PARTITION_RUNNABLE && (stop_request || p->work != WORK_LOAD);
}

bool partition_takes_event(const struct partition *p)
{
	return takes_event(p, false);
}

/*
 * Take p's lifecycle lock for an event of its running life: false (and
 * nothing held) when p is stopping already, or when a restart is pending
 * and the event comes from the life that ended (another vCPU's exit).
 */
static bool lock_life(struct partition *p, bool stop_request, u64 *flags)
{
	console_hold(); /* first: the console comes before the partition's lock (console.h) */
	*flags = spin_lock_irqsave(&p->lock);
	if (takes_event(p, stop_request))
		return true;
	spin_unlock_irqrestore(&p->lock, *flags);
	console_release();
	return false;
}

/* Stop p from its own work (its loading failed), with the locks in their order. */
static void stop_now(struct partition *p)
{
	u64 flags;

	console_hold();
	flags = spin_lock_irqsave(&p->lock);
	stop(p);
	spin_unlock_irqrestore(&p->lock, flags);
	console_release();
}

/* Let go of what lock_life() took. */
static void unlock_life(struct partition *p, u64 flags)
{
	spin_unlock_irqrestore(&p->lock, flags);
	console_release();
}

void partition_exit(struct partition *p, int code)
{
	u64 flags;

	if (!lock_life(p, false, &flags))
		return;
	pconsole_flush(&p->console);
	klog("partition %s exited with code %d", p->cfg.name, code);
	p->exit_code = code;
	stop(p);
	unlock_life(p, flags);
}

/*
 * Start p's next life in the memory it has, with its lock held: each
 * vCPU resets itself on its own CPU (partition_vcpu_sync), and vCPU 0's
 * pending work (WORK_LOAD), once no other vCPU is in the guest, scrubs
 * all of its RAM, loads the image again from the original module and
 * writes a new information block.  The SLAT keeps mapping the same
 * frames.  Called from an exit handler; the caller leaves the guest
 * right after.
 */
static void restart(struct partition *p)
{
	p->scrub_next = 0;
	p->work = WORK_LOAD;
	__atomic_store_n(&p->life, p->life + 1, __ATOMIC_SEQ_CST);
}

void partition_vcpu_sync(struct vcpu *v)
{
	struct partition *p = v->partition;

	if (v->life == __atomic_load_n(&p->life, __ATOMIC_ACQUIRE))
		return;
	v->timer_deadline = 0; /* no timer, interrupt or HLT from the former life */
	v->pending_irq = v->cut_irq = 0;
	v->halted = false;
	virt->vcpu_reset(v, &p->boot); /* also returns a launched VMCS to the clear state */
	xstate_reset(v);	       /* no register of the former life survives */
	virt->flush_slat(v);	       /* nor a translation the CPU cached for its tag */
	v->life = p->life;
}

/* Interrupts are taken between two chunks; true when the slice is over. */
static bool work_yields(void)
{
	irq_window();
	return cpu_slice_over();
}

bool partition_work(struct partition *p, int (*reset_devices)(struct partition *p))
{
	struct vcpu_boot_state boot;
	char why[160], kind[48];
	u64 flags;

	if (p->work == WORK_STOP && p->scrub_next == 0)
		release(p); /* every vCPU has left (kernel/sched.c): its console and SLAT go */
	else if (p->scrub_next == 0)
		pconsole_flush(&p->console); /* the former life's last words, before the next's */
	/* lab 8: scrub the RAM, 2 MiB at a time, in the partition's own slices */
	while (p->scrub_next < p->nchunks) {
		memset(phys_to_virt(p->chunks[p->scrub_next++]), 0, RAM_CHUNK);
		if (p->scrub_next < p->nchunks && work_yields())
			return false;
	}
	/* lab 8: end */
	if (p->work == WORK_STOP) {
		free_ram(p);
		p->work = WORK_NONE;
		p->state = PARTITION_STOPPED;
		return true;
	}
	/* The dry run at the start said this loads: it still does, the module is the same. */
	if (load_image(p, false, &boot, kind, sizeof(kind), why, sizeof(why)) < 0) {
		klog("partition %s: stopped: its image no longer loads: %s", p->cfg.name, why);
		stop_now(p);
		return false;
	}
	if (reset_devices(p) < 0) {
		stop_now(p);
		return false;
	}
	/*
	 * Last: until now no other vCPU may run (kernel/sched.c), and from now
	 * on each finds its devices reset, the others waiting for STARTUP.  A
	 * stop that came meanwhile stands.
	 */
	flags = spin_lock_irqsave(&p->lock);
	if (p->work == WORK_LOAD)
		p->work = WORK_NONE;
	spin_unlock_irqrestore(&p->lock, flags);
	return true;
}

void partition_crash(struct partition *p, const char *fmt, ...)
{
	char reason[200];
	va_list ap;
	u64 flags;

	va_start(ap, fmt);
	format_v(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (!lock_life(p, false, &flags))
		return;
	pconsole_flush(&p->console);
	klog("partition %s crashed: %s", p->cfg.name, reason);
	/* lab 8: the crash policy: a restart within the limit, else a stop */
	if (p->cfg.on_crash == ON_CRASH_RESTART) {
		if (p->restarts >= p->cfg.restart_limit) {
			klog("partition %s: restart limit reached", p->cfg.name);
		} else {
			restart(p);
			p->restarts++;
			klog("partition %s restarted (restart %u of %u)", p->cfg.name, p->restarts,
			     p->cfg.restart_limit);
			unlock_life(p, flags);
			return;
		}
	}
	p->crashed = true;
	stop(p);
	/* lab 8: end */
	unlock_life(p, flags);
}

#define RESETS_TOLD 8 /* guest resets told one by one (partition_reset) */

void partition_reset(struct partition *p)
{
	u64 flags;

	if (!lock_life(p, false, &flags))
		return;
	pconsole_flush(&p->console);
	/*
	 * A guest may reset itself in a loop: its own time, but the console's
	 * lines are everybody's.  The first few are told, then only the
	 * powers of two.
	 */
	p->guest_resets++;
	if (p->guest_resets <= RESETS_TOLD)
		klog("partition %s reset by its guest", p->cfg.name);
	else if (!(p->guest_resets & (p->guest_resets - 1)))
		klog("partition %s reset by its guest: %u resets (only each power of two is told "
		     "after the first %u)",
		     p->cfg.name, p->guest_resets, RESETS_TOLD);
	restart(p);
	unlock_life(p, flags);
}

void partition_stop(struct partition *p, const char *why)
{
	u64 flags;

	if (!lock_life(p, true, &flags))
		return;
	pconsole_flush(&p->console);
	klog("partition %s stopped: %s", p->cfg.name, why);
	stop(p);
	unlock_life(p, flags);
}

void partition_abandon(struct partition *p, const char *why)
{
	klog("partition %s: stopped before it ran: %s", p->cfg.name, why);
	pconsole_flush(&p->console);
	for (u32 i = 0; i < p->nvcpus; i++)
		release_vcpu(&p->vcpus[i]); /* never run: no CPU holds them */
	release(p);
	free_ram(p); /* no guest ran in it: nothing to scrub */
	p->work = WORK_NONE;
	p->state = PARTITION_STOPPED;
}

void partition_report_pools(void)
{
	u32 holding = 0;

	for (u32 i = 0; i < MAX_PARTITIONS; i++)
		holding += partitions[i].state == PARTITION_RUNNABLE ||
			   partitions[i].state == PARTITION_STOPPING || partitions[i].chunks ||
			   partitions[i].vcpus[0].vmcs || partitions[i].vcpus[0].xstate.area ||
			   partitions[i].slat.root || partitions[i].console.history;
	klog("pools: %llu frames free, %u partitions hold resources, %u console ports attached",
	     (unsigned long long)frames.free_frames, holding, pconsole_attached());
}

u32 partition_count_running(void)
{
	u32 n = 0;
	for (u32 i = 0; i < MAX_PARTITIONS; i++)
		n += partitions[i].state == PARTITION_RUNNABLE ||
		     partitions[i].state == PARTITION_WAITING ||
		     partitions[i].state == PARTITION_STOPPING;
	return n;
}
