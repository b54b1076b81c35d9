// The simple CLV and its retention form, built from parts that fitted models can later replace.
#include <clv/clv.hpp>

#include <iostream>

int main() {
    // 50 EUR per order, 4 orders a year, 3 years: 600 EUR of revenue; 180 EUR at a 30 % margin.
    std::cout << "simple CLV:              " << clv::simple_clv(50, 4, 3) << '\n';
    std::cout << "with a 30 % margin:      " << clv::simple_clv(50, 4, 3, 0.3) << '\n';
    std::cout << "and 10 % yearly discount: " << clv::simple_clv(50, 4, 3, 0.3, 0.10) << '\n';

    // Gupta & Lehmann (2003): margin 100 a year, 80 % retention, 10 % discount rate.
    std::cout << "retention form m r/(1+d-r): " << clv::retention_clv(100, 0.8, 0.1) << '\n';

    // The same value from its parts: any part can be swapped for a fitted model's.
    const double value = clv::lifetime_value(clv::constant_spend(50), clv::constant_rate(4), clv::fixed_lifetime(3),
                                             clv::discounting{0.0}, 0.3);
    std::cout << "from parts:              " << value << '\n';
    return value == clv::simple_clv(50, 4, 3, 0.3) ? 0 : 1;
}
