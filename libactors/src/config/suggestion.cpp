#include "config/suggestion.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace actorflow::config {
namespace {

// Edit distance, case-insensitive: how many single-character changes turn `a` into `b`.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The words of a key, sorted: "max_retries" and "retries_max" have the same.
std::vector<std::string> sorted_words(std::string_view key) {
  std::vector<std::string> words;
  std::string word;
  for (char c : key) {
    if (c == '_' || c == '-') {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
    } else {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  std::sort(words.begin(), words.end());
  return words;
}

}  // namespace

std::optional<std::string_view> closest(std::string_view text, Words candidates) {
  if (text.empty()) return std::nullopt;
  const size_t allowed = std::clamp<size_t>(text.size() / 3, 1, 3);
  std::optional<std::string_view> best;
  size_t best_distance = allowed + 1;
  for (auto c : candidates) {
    const size_t d = edit_distance(text, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  if (best) return best;
  const auto words = sorted_words(text);
  for (auto c : candidates)
    if (sorted_words(c) == words) return c;
  // One contains the other, for exactly one candidate: "step_timeout" for "timeout", "warn" for
  // "warning".
  for (auto c : candidates) {
    const bool contains = (text.size() >= 4 && c.find(text) != std::string_view::npos) ||
                          (c.size() >= 4 && text.find(c) != std::string_view::npos);
    if (!contains) continue;
    if (best) return std::nullopt;
    best = c;
  }
  return best;
}

std::string did_you_mean(std::string_view text, Words candidates) {
  const auto best = closest(text, candidates);
  return best ? " (did you mean '" + std::string(*best) + "'?)" : "";
}

std::string join(Words words, std::string_view separator) {
  std::string out;
  for (auto w : words) {
    if (!out.empty()) out += separator;
    out += w;
  }
  return out;
}

}  // namespace actorflow::config
