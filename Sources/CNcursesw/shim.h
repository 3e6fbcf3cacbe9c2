// C accessors for the parts of ncursesw that Swift cannot reach directly (macros and globals).
#ifndef TUNETOP_CNCURSESW_SHIM_H
#define TUNETOP_CNCURSESW_SHIM_H

#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <locale.h>
#include <ncursesw/curses.h>

static inline WINDOW *tt_stdscr(void) { return stdscr; }
static inline int tt_lines(void) { return LINES; }
static inline int tt_cols(void) { return COLS; }
static inline int tt_colors(void) { return COLORS; }
static inline int tt_color_pairs(void) { return COLOR_PAIRS; }
static inline int tt_key_resize(void) { return KEY_RESIZE; }
static inline int tt_err(void) { return ERR; }

#endif
