// terminal_style.hpp: how text may look where it is going: colour or not (--color, NO_COLOR),
// block characters or plain ASCII, how wide a line may be, and wrapping prose to that width.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace fetcher::cli {

enum class ColorMode { automatic, always, never };
// "auto", "always", "never"; throws std::invalid_argument naming the value.
ColorMode parse_color_mode(std::string_view text);

struct Style {
  bool color = false;    // ANSI colours and bold
  bool unicode = false;  // block characters (█ ▒) instead of '#' and '-'
  // The width of the terminal the text goes to, which every line must fit; 0 when it goes to a
  // file or a pipe (no COLUMNS), which keeps the layout made for 80 columns without narrowing it.
  std::size_t columns = 0;
};

// The style for a stream: colour when mode is always, or auto on a terminal without NO_COLOR;
// block characters when the locale says UTF-8 and the output is a terminal (or colour is forced);
// columns from terminal_columns(fd, 0). `fd` is the descriptor the text goes to, or -1 for a file.
Style detect_style(ColorMode mode, int fd);
bool is_terminal(int fd);
// Columns the text on `fd` may use: COLUMNS when it is set to a positive number (the user's
// word, as for ls and git; it also lets a script or a test ask for a width), else the terminal's
// own width, else `fallback`: when `fd` is a pipe without COLUMNS, or -1 (a file, never narrowed).
std::size_t terminal_columns(int fd, std::size_t fallback = 80);

// The ANSI effects this program uses.
enum class Paint { bold, dim, green, red, yellow, cyan, bold_green };
// `text` wrapped in the effect's escape codes when style.color, else unchanged.
std::string paint(const Style& style, Paint effect, std::string_view text);

// Columns `text` takes on a terminal: UTF-8 code points, not counting ANSI escape sequences.
std::size_t display_width(std::string_view text);
// `text` cut to at most `columns` display columns (escape sequences kept whole).
std::string truncate_to_width(std::string_view text, std::size_t columns);

// `text` as one safe terminal line: control bytes (C0, DEL) and bytes past ASCII become \xNN,
// as the library's messages have them, so nothing from a list file or a server can move the
// cursor, recolour the terminal or break the line. For every string from input or a server.
std::string printable(std::string_view text);

// Words of `text` filled into lines of at most `width` columns; lines after the first begin
// with `indent`. A word longer than a line gets a line of its own.
std::vector<std::string> wrap_words(std::string_view text, std::size_t width, std::string_view indent = {});

}  // namespace fetcher::cli
