/*
 * Just enough of GRUB's script language for the grub.cfg linter
 * (tools/lint/cloison-lint.c): a file split into commands, each a list
 * of words with the line it starts on, and the one string GRUB makes of
 * a command's words when it hands them to a Multiboot2 kernel or module.
 * Menus, conditions and variables are not interpreted: the linter only
 * needs to see commands in file order.
 */
#ifndef TOOLS_LINT_GRUB_SCRIPT_H
#define TOOLS_LINT_GRUB_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>

struct grub_command {
	unsigned line; /* 1-based line of its first word */
	int argc;
	char **argv;	   /* argv[argc] is NULL; valid until the next grub_script_next() */
	int last_variable; /* the last word with a '$' outside single quotes (GRUB fills
			      it in at boot), or -1 */
};

struct grub_script {
	const char *text;
	size_t len, pos;
	unsigned line;
	char *words;	     /* the current command's words, NUL-terminated, one after the other */
	char **argv;	     /* pointers into words */
	char error[120];     /* why grub_script_next() returned -1 ... */
	unsigned error_line; /* ... and where */
};

/* Start reading text[0..len).  Returns 0, or -1 when out of memory. */
int grub_script_open(struct grub_script *s, const char *text, size_t len);
void grub_script_close(struct grub_script *s);

/*
 * Read the next command: words separated by blanks, ended by a newline
 * or ';'.  As in GRUB, '#' at the start of a word comments out the rest
 * of the line, '...' is taken literally, "..." and a backslash escape,
 * and a backslash before a newline joins two lines.  Returns 1 with
 * *cmd filled in, 0 at the end of the text, or -1 with s->error set (a
 * quote that is never closed: GRUB cannot read the file).
 */
int grub_script_next(struct grub_script *s, struct grub_command *cmd);

/*
 * The string GRUB passes with a Multiboot2 kernel or module, made of the
 * words after its file name (GRUB 2.06 leaves the file name out): joined
 * with single spaces; a word that contains a space is put in double
 * quotes, and a backslash or quote in a word gets a backslash in front.
 * Returns a malloc()ed string, or NULL when out of memory.
 */
char *grub_loader_string(int argc, char *const argv[]);

#endif
