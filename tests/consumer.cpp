// A consumer of the installed (or add_subdirectory'd) package: it only includes <clv/clv.hpp>.
#include <clv/clv.hpp>

#include <iostream>

int main() {
    // 50 per order x 4 orders a year x 3 years.
    std::cout << clv::simple_clv(50.0, 4.0, 3.0) << '\n';
}
