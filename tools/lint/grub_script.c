/*
 * A reader for the small part of GRUB's script language the grub.cfg
 * linter needs: words, quotes, escapes, comments and line joins, so
 * that it sees each command's words as GRUB would, and the string GRUB
 * builds from them for a Multiboot2 kernel or module.  Host code, libc
 * allowed; the header says what each function promises.
 */
#include "tools/lint/grub_script.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int grub_script_open(struct grub_script *s, const char *text, size_t len)
{
	memset(s, 0, sizeof(*s));
	s->text = text;
	s->len = len;
	s->line = 1;
	/* A command's words never take more room than the text they came from. */
	s->words = malloc(len + 1);
	s->argv = calloc(len / 2 + 2, sizeof(*s->argv));
	if (!s->words || !s->argv) {
		grub_script_close(s);
		return -1;
	}
	return 0;
}

void grub_script_close(struct grub_script *s)
{
	free(s->words);
	free(s->argv);
	s->words = NULL;
	s->argv = NULL;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int peek(const struct grub_script *s, size_t ahead)
{
	return s->pos + ahead < s->len ? s->text[s->pos + ahead] : -1;
}

/* Copy a quoted part up to its closing quote (the opening one is consumed). */
static int quoted(struct grub_script *s, char **out, char quote, struct grub_command *cmd)
{
	unsigned opened = s->line;

	while (s->pos < s->len) {
		char c = s->text[s->pos++];

		if (c == quote)
			return 0;
		if (c == '\n')
			s->line++;
		if (quote == '"' && c == '\\' && s->pos < s->len) {
			char next = s->text[s->pos];
			if (next == '\n') { /* a line join, even inside double quotes */
				s->pos++;
				s->line++;
				continue;
			}
			if (next == '"' || next == '\\' || next == '$') {
				s->pos++;
				*(*out)++ = next;
				continue;
			}
		}
		if (quote == '"' && c == '$')
			cmd->last_variable = cmd->argc;
		*(*out)++ = c;
	}
	snprintf(s->error, sizeof(s->error), "this %c quote is never closed", quote);
	s->error_line = opened;
	return -1;
}

static bool word_end(char c)
{
	return blank(c) || c == '\n' || c == ';';
}

/* Copy one word into *out, without its quotes and escapes. */
static int word(struct grub_script *s, char **out, struct grub_command *cmd)
{
	while (s->pos < s->len && !word_end(s->text[s->pos])) {
		char c = s->text[s->pos++];

		if (c == '\\') {
			if (s->pos == s->len)
				break;
			c = s->text[s->pos++];
			if (c == '\n')
				s->line++;
			else
				*(*out)++ = c;
		} else if (c == '\'' || c == '"') {
			if (quoted(s, out, c, cmd) < 0)
				return -1;
		} else {
			if (c == '$')
				cmd->last_variable = cmd->argc;
			*(*out)++ = c;
		}
	}
	*(*out)++ = '\0';
	return 0;
}

int grub_script_next(struct grub_script *s, struct grub_command *cmd)
{
	char *out = s->words;
	int argc = 0;

	memset(cmd, 0, sizeof(*cmd));
	cmd->last_variable = -1;
	while (s->pos < s->len) {
		char c = s->text[s->pos];

		if (blank(c)) {
			s->pos++;
		} else if (c == '\\' && peek(s, 1) == '\n') {
			s->pos += 2;
			s->line++;
		} else if (c == '\n' || c == ';') {
			s->pos++;
			if (c == '\n')
				s->line++;
			if (argc)
				break;
		} else if (c == '#') {
			while (s->pos < s->len && s->text[s->pos] != '\n')
				s->pos++;
		} else {
			if (argc == 0)
				cmd->line = s->line;
			s->argv[argc] = out;
			cmd->argc = argc; /* the word being read, for last_variable */
			if (word(s, &out, cmd) < 0)
				return -1;
			argc++;
		}
	}
	s->argv[argc] = NULL;
	cmd->argc = argc;
	cmd->argv = s->argv;
	return argc > 0;
}

static bool needs_backslash(char c)
{
	return c == '\\' || c == '\'' || c == '"';
}

char *grub_loader_string(int argc, char *const argv[])
{
	size_t size = 1;
	char *str, *o;

	for (int i = 0; i < argc; i++) {
		size += strlen(argv[i]) + 3; /* two quotes and a space at most */
		for (const char *c = argv[i]; *c; c++)
			size += needs_backslash(*c);
	}
	str = o = malloc(size);
	if (!str)
		return NULL;
	for (int i = 0; i < argc; i++) {
		bool spaced = strchr(argv[i], ' ') != NULL;

		if (i)
			*o++ = ' ';
		if (spaced)
			*o++ = '"';
		for (const char *c = argv[i]; *c; c++) {
			if (needs_backslash(*c))
				*o++ = '\\';
			*o++ = *c;
		}
		if (spaced)
			*o++ = '"';
	}
	*o = '\0';
	return str;
}
