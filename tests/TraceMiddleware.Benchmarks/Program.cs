using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/TraceMiddleware.Benchmarks -- --filter '*' [--job short]  (see README, Performance)
BenchmarkSwitcher.FromAssembly(typeof(TraceMiddleware.Benchmarks.EnvelopeWriterBenchmarks).Assembly).Run(args);
