/*
 * Power-off and reboot.
 *
 * ACPI S5 (ACPI 6.4 §7.4.2.5 and §4.8.3.2): switch to ACPI mode through
 * SMI_CMD if firmware has not, then write SLP_TYPx | SLP_EN to PM1a_CNT
 * (and PM1b_CNT), with SLP_TYPx from the DSDT's \_S5_ package.  If the
 * machine is still running after that, QEMU's isa-debug-exit port
 * (0xf4) or Bochs' shutdown port (0x8900) end the emulator where one
 * was detected.  Reboot uses the FADT reset register, then the 8042.
 * Nothing here returns: a failed power-off says so and halts.
 */
#include "drivers/power.h"
#include "drivers/acpi.h"
#include "drivers/timer.h"
#include "drivers/uart.h"
#include "lib/log.h"
#include "lib/x86.h"

#define PM1_SCI_EN (1u << 0)
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_EN (1u << 13)

#define QEMU_FW_CFG_SELECT 0x510
#define QEMU_FW_CFG_DATA 0x511
#define QEMU_DEBUG_EXIT 0xf4
#define BOCHS_SHUTDOWN 0x8900
#define KBC_COMMAND 0x64
#define KBC_PULSE_RESET 0xfe

static enum host_platform platform;
static bool platform_known;

enum host_platform power_detect_platform(void)
{
	if (platform_known)
		return platform;
	platform_known = true;
	platform = PLATFORM_HARDWARE;
	/* Both emulators' firmware writes "BOCHS " as the ACPI OEM id. */
	if (acpi.present && !__builtin_memcmp(acpi.oem_id, "BOCHS ", 6)) {
		char sig[4];
		outw(QEMU_FW_CFG_SELECT, 0); /* fw_cfg signature item */
		for (int i = 0; i < 4; i++)
			sig[i] = (char)inb(QEMU_FW_CFG_DATA);
		platform = __builtin_memcmp(sig, "QEMU", 4) ? PLATFORM_BOCHS : PLATFORM_QEMU;
	}
	return platform;
}

static void acpi_s5(void)
{
	if (!acpi.have_fadt || !acpi.have_s5 || !acpi.pm1a_cnt)
		return;
	if (acpi.smi_cmd && acpi.acpi_enable && !(inw((u16)acpi.pm1a_cnt) & PM1_SCI_EN)) {
		outb((u16)acpi.smi_cmd, acpi.acpi_enable);
		for (int i = 0; i < 300 && !(inw((u16)acpi.pm1a_cnt) & PM1_SCI_EN); i++)
			udelay(1000);
	}
	outw((u16)acpi.pm1a_cnt, (u16)(acpi.s5_a << PM1_SLP_TYP_SHIFT | PM1_SLP_EN));
	if (acpi.pm1b_cnt)
		outw((u16)acpi.pm1b_cnt, (u16)(acpi.s5_b << PM1_SLP_TYP_SHIFT | PM1_SLP_EN));
	udelay(100000);
}

static void emulator_exit(void)
{
	switch (power_detect_platform()) {
	case PLATFORM_QEMU:
		outb(QEMU_DEBUG_EXIT, 0); /* QEMU exits with status (0 << 1) | 1 */
		break;
	case PLATFORM_BOCHS:
		for (const char *s = "Shutdown"; *s; s++)
			outb(BOCHS_SHUTDOWN, (u8)*s);
		break;
	default:
		break;
	}
	udelay(100000);
}

void power_off(void)
{
	klog("powering off");
	uart_drain(UART_COM1); /* let the last line out before the power goes */
	irq_disable();
	acpi_s5();
	emulator_exit();
	klog("power-off failed (no ACPI S5 and no known emulator); halted");
	cpu_stop();
}

void power_reboot(void)
{
	klog("rebooting");
	irq_disable();
	if (acpi.have_reset && acpi.reset_reg.space_id == 1) /* system I/O */
		outb((u16)acpi.reset_reg.address, acpi.reset_value);
	udelay(100000);
	outb(KBC_COMMAND, KBC_PULSE_RESET);
	udelay(100000);
	klog("reboot failed; halted");
	cpu_stop();
}
