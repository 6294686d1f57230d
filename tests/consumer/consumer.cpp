// consumer.cpp: a tiny crawler on the installed library: seed URLs from the command line,
// a per-host limit, results streamed as they finish. Exits 0 when every URL was fetched.
//   consumer CONNECT_TO CA_FILE URL...
#include <fetcher/run.hpp>

#include <iostream>

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: consumer CONNECT_TO CA_FILE URL...\n";
    return 2;
  }
  fetcher::FetchOptions options;
  options.connect_to.push_back(fetcher::ConnectTo::parse(argv[1]));
  options.ca_file = argv[2];
  options.max_per_host = 2;
  fetcher::Client client(options);

  std::vector<fetcher::FetchRequest> seeds;
  for (int i = 3; i < argc; ++i)
    seeds.push_back({argv[i], "argument " + std::to_string(i - 2), fetcher::check_url(argv[i])});
  const auto report =
      fetcher::run(seeds, fetcher::Strategy::parse("async"), client, {}, [](const fetcher::FetchResult& result) {
        std::cout << result.status << " " << result.body_bytes << " " << result.url << "\n";
      });
  std::cout << report.ok << "/" << report.requests << " ok\n";
  return report.failed == 0 ? 0 : 1;
}
