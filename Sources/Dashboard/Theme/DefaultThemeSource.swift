/// The text of `themes/default.theme`, compiled in; a test keeps the two identical.
enum DefaultThemeSource {
  static let text = #"""
    # tunetop default theme (also compiled into the app, so tunetop works without this directory).
    #
    # Format (btop's): one theme[slot]="value" per line; "#" starts a comment line; blank lines are ignored.
    # value: "#rrggbb", "#rgb", or "" for the terminal's own default colour (e.g. a transparent background).
    # A slot that a theme leaves out falls back to this file. Slots:
    #   main_bg       background of every panel               main_fg       normal text
    #   title         panel titles                            hi_fg         focused panel frame, key letters
    #   selected_bg   background of the selected row / bar    selected_fg   text on selected_bg
    #   inactive_fg   dimmed text, axes and labels            div_line      panel frames and dividers
    #   graph_train   training curves                         graph_val     validation curves
    #   lr_curve      the learning-rate schedule              marker        current-step / hot-edit markers
    #   best          best epoch and best values              warning       paused, overfitting, notes
    #   error         diverged, invalid input                 good          running, improvements
    #   frozen        ○ frozen layer groups                   trainable     ● trainable layer groups
    #
    # This one keeps the terminal's own background and text colours and picks accents that read on dark and
    # light backgrounds alike.

    theme[main_bg]=""
    theme[main_fg]=""
    theme[title]="#4c9be8"
    theme[hi_fg]="#e5a50a"
    theme[selected_bg]="#34495e"
    theme[selected_fg]="#ffffff"
    theme[inactive_fg]="#8a8a8a"
    theme[div_line]="#6c7380"
    theme[graph_train]="#4c9be8"
    theme[graph_val]="#ff8c1a"
    theme[lr_curve]="#b267e6"
    theme[marker]="#a0a0a0"
    theme[best]="#f2c744"
    theme[warning]="#e5a50a"
    theme[error]="#e5484d"
    theme[good]="#3fb950"
    theme[frozen]="#6cb6ff"
    theme[trainable]="#3fb950"
    """#
}
