using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/Digest.Benchmarks -- --filter '*'              (full runs)
// dotnet run -c Release --project tests/Digest.Benchmarks -- --filter '*' --job short  (a quick look)
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
