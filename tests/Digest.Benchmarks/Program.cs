using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/Digest.Benchmarks -- --filter '*'              (full runs)
// dotnet run -c Release --project tests/Digest.Benchmarks -- --filter '*' --job short  (a quick look)
// dotnet run -c Release --project tests/Digest.Benchmarks -- ledger-size           (store size over 60 weekly editions)
// dotnet run -c Release --project tests/Digest.Benchmarks -- mailkit-loop --eml F --port P --count N  (the hand-written loop)
// dotnet run -c Release --project tests/Digest.Benchmarks -- subscriber-load --readers N  (reading the subscriber file alone)
if (args.FirstOrDefault() == "ledger-size") return Digest.Benchmarks.LedgerGrowth.Run(args);
if (args.FirstOrDefault() == "subscriber-load") return Digest.Benchmarks.SubscriberLoad.Run(args);
if (args.FirstOrDefault() == "ledger-reads") return Digest.Benchmarks.LedgerReads.Run(args);
if (args.FirstOrDefault() == "mailkit-loop") return await Digest.Benchmarks.MailKitLoop.RunAsync(args);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
