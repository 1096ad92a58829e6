/*
 * The one macro of the asm-offsets.c files (kernel/, vmx/, svm/): it
 * leaves an "@@OFFSET NAME value" marker in the compiler's assembly
 * output, which the Makefile turns into "#define NAME value" lines of
 * build/asm-offsets.h for the assembly files.
 */
#ifndef KERNEL_OFFSET_H
#define KERNEL_OFFSET_H

#define OFFSET(name, value) __asm__ volatile("@@OFFSET " #name " %0" ::"i"(value))

#endif
