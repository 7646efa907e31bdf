#include "order_saga/order_generator.hpp"

#include <cstdio>
#include <random>

namespace order_saga {

std::vector<std::string> make_skus(int count) {
  std::vector<std::string> skus;
  for (int i = 1; i <= count; ++i) skus.push_back("sku-" + std::to_string(i));
  return skus;
}

std::map<std::string, int> uniform_stock(const std::vector<std::string>& skus, int units_each) {
  std::map<std::string, int> stock_units;
  for (const auto& sku : skus) stock_units[sku] = units_each;
  return stock_units;
}

std::vector<Order> generate_orders(int count, uint64_t seed, const std::vector<std::string>& skus) {
  std::vector<Order> orders;
  if (skus.empty()) return orders;
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<size_t> pick_sku(0, skus.size() - 1);
  std::uniform_int_distribution<int> pick_units(1, 3);
  for (int i = 1; i <= count; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "order-%04d", i);
    const size_t sku_index = pick_sku(rng);
    const int units = pick_units(rng);
    const int64_t unit_price_cents = 999 + 500 * static_cast<int64_t>(sku_index);
    orders.push_back(Order{id, skus[sku_index], units, units * unit_price_cents});
  }
  return orders;
}

}  // namespace order_saga
