// The README's 30-second example.
#include <clv/clv.hpp>

#include <cmath>
#include <iostream>

int main() {
    std::cout << clv::simple_clv(50, 4, 3) << '\n';          // 600
    std::cout << clv::retention_clv(100, 0.8, 0.1) << '\n';  // 266.67 = m r / (1 + d - r)

    // BG/NBD with the published CDNOW parameters (Fader, Hardie & Lee 2005): a customer with
    // 2 repeat purchases, the last at week 30.43, observed for 38.86 weeks.
    const clv::bg_nbd<> model({0.243, 4.414, 0.793, 2.426});
    const double expected = model.conditional_expected_transactions(39, 2, 30.43, 38.86);
    std::cout << expected << " purchases expected in the next 39 weeks; P(alive) = "
              << model.probability_alive(2, 30.43, 38.86) << '\n';  // 1.226 (FHL 2005, section 5)
    return std::abs(expected - 1.226) < 5e-4 ? 0 : 1;
}
