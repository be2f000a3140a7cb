/*
 * datadir.h - where the suite and the catalogue are found when the command
 * line names none.  The order, for each: the explicit argument (PATH,
 * --catalogue, --gaps: the caller's), then the checkout's copy relative to
 * the current directory (./scenarios/, ./docs/catalogue.md) when it exists,
 * then the installed copy under SMTPH_DATADIR, compiled in by `make install`
 * (PREFIX/share/smtp-harness).  A plain build has no SMTPH_DATADIR and uses
 * the checkout's paths only, as before.
 */
#ifndef SMTPH_DATADIR_H
#define SMTPH_DATADIR_H

#include <stddef.h>

/* The installed data folder, or NULL in a plain build.  Static string. */
const char *datadir_root(void);

/* The scenario folder run and list use when no PATH is given:
 * "scenarios/" when that is a directory here, else the installed
 * DATADIR/scenarios/; in a plain build always "scenarios/".  Static
 * string. */
const char *datadir_scenarios(void);

/* A data file of the checkout (local, e.g. "docs/catalogue.md") or of the
 * installation (installed, a name under DATADIR): local when it exists or
 * in a plain build, else DATADIR/installed, written into the caller's
 * buf of size bytes (cut to fit).  Returns local or buf. */
const char *datadir_file(const char *local, const char *installed, char *buf, size_t size);

#endif
