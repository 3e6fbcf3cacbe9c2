// C accessors for the parts of ncursesw that Swift cannot reach directly (macros and globals), and the
// async-signal-safe signal handlers the terminal layer needs.
#ifndef TUNETOP_CNCURSESW_SHIM_H
#define TUNETOP_CNCURSESW_SHIM_H

#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <ncursesw/curses.h>

static inline WINDOW *tt_stdscr(void) { return stdscr; }
static inline int tt_lines(void) { return LINES; }
static inline int tt_cols(void) { return COLS; }
static inline int tt_colors(void) { return COLORS; }
static inline int tt_color_pairs(void) { return COLOR_PAIRS; }
static inline int tt_key_resize(void) { return KEY_RESIZE; }
static inline int tt_err(void) { return ERR; }
static inline int tt_key_code_yes(void) { return KEY_CODE_YES; }
static inline int tt_key_f0(void) { return KEY_F0; }
static inline FILE *tt_stdout(void) { return stdout; }
static inline FILE *tt_stdin(void) { return stdin; }

static inline attr_t tt_a_normal(void) { return A_NORMAL; }
static inline attr_t tt_a_bold(void) { return A_BOLD; }
static inline attr_t tt_a_reverse(void) { return A_REVERSE; }
static inline attr_t tt_a_dim(void) { return A_DIM; }
static inline attr_t tt_a_underline(void) { return A_UNDERLINE; }

// Writes one cell: up to 4 code points of a grapheme with attributes and an extended colour pair.
static inline int tt_put_cell(int y, int x, const wchar_t *text, attr_t attrs, int pair) {
  cchar_t cell;
  memset(&cell, 0, sizeof cell);
  if (setcchar(&cell, text, attrs, 0, &pair) == ERR) return ERR;
  return mvwadd_wch(stdscr, y, x, &cell);
}

// Signals. The handlers only store the signal number in a sig_atomic_t, which is all that is
// async-signal-safe; the UI loop polls it. These statics exist once per Swift object file that uses
// them, so all of them are called from a single Swift file (Terminal/SignalFlag.swift).
static volatile sig_atomic_t tt_pending_signal = 0;
// The handlers that were installed before ours, restored on stop and chained to on a crash.
static inline struct sigaction *tt_saved_action(int sig) {
  static struct sigaction saved[65];
  return &saved[sig & 63];
}

static void tt_on_quit_signal(int sig) { tt_pending_signal = sig; }

// On a crash the screen would be left in curses mode; restoring it is worth the (non-signal-safe) endwin
// because the process is about to die anyway. The previous handler (e.g. Swift's backtracer) then runs.
static void tt_on_fatal_signal(int sig) {
  endwin();
  sigaction(sig, tt_saved_action(sig), NULL);
  raise(sig);
}

static inline void tt_install(int sig, void (*handler)(int)) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = handler;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: a blocked read returns early so the loop sees the flag at once
  sigaction(sig, &action, tt_saved_action(sig));
}

static inline void tt_install_signal_handlers(void) {
  tt_pending_signal = 0;
  tt_install(SIGINT, tt_on_quit_signal);
  tt_install(SIGTERM, tt_on_quit_signal);
  tt_install(SIGHUP, tt_on_quit_signal);
  tt_install(SIGSEGV, tt_on_fatal_signal);
  tt_install(SIGBUS, tt_on_fatal_signal);
  tt_install(SIGILL, tt_on_fatal_signal);
  tt_install(SIGFPE, tt_on_fatal_signal);
  tt_install(SIGTRAP, tt_on_fatal_signal);
  tt_install(SIGABRT, tt_on_fatal_signal);
}

static inline void tt_restore_signal_handlers(void) {
  int signals[] = {SIGINT, SIGTERM, SIGHUP, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGABRT};
  for (unsigned i = 0; i < sizeof signals / sizeof signals[0]; i++) {
    sigaction(signals[i], tt_saved_action(signals[i]), NULL);
  }
}

static inline int tt_read_pending_signal(void) { return tt_pending_signal; }
static inline void tt_clear_pending_signal(void) { tt_pending_signal = 0; }

#endif
