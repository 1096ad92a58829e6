/*
 * One line per check for test guests: "<who>: <what>: ok", or a FAIL
 * line that also shows what came back and what was wanted.  Boot
 * scenarios count the ok lines and refuse any FAIL.
 */
#include "guests/lib/guest.h"

int guest_check(const char *who, const char *what, long long got, long long want)
{
	if (got == want) {
		printf("%s: %s: ok\n", who, what);
		return 0;
	}
	printf("%s: %s: FAIL (got %lld = 0x%llx, want %lld = 0x%llx)\n", who, what, got,
	       (unsigned long long)got, want, (unsigned long long)want);
	return 1;
}
