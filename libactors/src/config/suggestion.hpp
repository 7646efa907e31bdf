#pragma once
// What a word that is not among the accepted ones was probably meant as ("did you mean 'shards'?").
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace actorflow::config {

using Words = std::span<const std::string_view>;

// The candidate `text` was probably meant as, if one is close enough: a typo of at most a third
// of its length (at least one, at most three characters, case ignored), the same words in
// another order ("max_retries" for "retries_max"), or a part or extension of exactly one
// candidate ("timeout" for "step_timeout").
std::optional<std::string_view> closest(std::string_view text, Words candidates);

// " (did you mean 'x'?)" for the closest candidate, or "" when none is close.
std::string did_you_mean(std::string_view text, Words candidates);

// "a, b, c"
std::string join(Words words, std::string_view separator = ", ");

}  // namespace actorflow::config
