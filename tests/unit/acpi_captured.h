/*
 * ACPI tables captured from QEMU and Bochs (see acpi_captured.c for how),
 * for the parser tests in test_acpi.c.
 */
#ifndef TESTS_UNIT_ACPI_CAPTURED_H
#define TESTS_UNIT_ACPI_CAPTURED_H

#include <stddef.h>

extern const unsigned char qemu_smp2_rsdp[], qemu_smp2_madt[], qemu_smp2_dsdt[];
extern const size_t qemu_smp2_rsdp_len, qemu_smp2_madt_len, qemu_smp2_dsdt_len;
extern const unsigned char qemu_smp4_madt[];
extern const size_t qemu_smp4_madt_len;
extern const unsigned char bochs_rsdp[], bochs_madt[], bochs_dsdt[];
extern const size_t bochs_rsdp_len, bochs_madt_len, bochs_dsdt_len;

#endif
