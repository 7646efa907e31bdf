#pragma once
// A batch of random orders: the same seed gives the same batch.
#include "order_saga/order.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace order_saga {

// "sku-1" ... "sku-<count>".
std::vector<std::string> make_skus(int count);

// Every sku starts with `units_each` units.
std::map<std::string, int> uniform_stock(const std::vector<std::string>& skus, int units_each);

// Orders "order-0001" ... of 1 to 3 units of a random sku, priced per sku.
std::vector<Order> generate_orders(int count, uint64_t seed, const std::vector<std::string>& skus);

}  // namespace order_saga
