using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace TraceMiddleware.PackageTests.Infrastructure;

/// <summary>
/// A consumer app's process, listening on a loopback port the OS picked (read from Kestrel's "Now listening on" line);
/// killed with its children when disposed.
/// </summary>
public sealed partial class RunningApp : IAsyncDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromMinutes(1);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RunningApp(Process process) => _process = process;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>What the app printed so far, for failure messages.</summary>
    public string Output => string.Join('\n', _output);

    public static async Task<RunningApp> StartAsync(string contentRoot, string assembly, IReadOnlyDictionary<string, string?> environment)
    {
        var start = ProcessRunner.CreateStartInfo("dotnet", [assembly, "--urls", "http://127.0.0.1:0"], contentRoot, environment);
        var app = new RunningApp(new Process { StartInfo = start, EnableRaisingEvents = true });
        app._process.OutputDataReceived += (_, e) => app.Record(e.Data);
        app._process.ErrorDataReceived += (_, e) => app.Record(e.Data);
        app._process.Exited += (_, _) => app._listening.TrySetException(new InvalidOperationException($"{Path.GetFileName(assembly)} exited before it listened:\n{app.Output}"));
        app._process.Start();
        app._process.BeginOutputReadLine();
        app._process.BeginErrorReadLine();
        try
        {
            app.BaseAddress = await app._listening.Task.WaitAsync(s_startTimeout);
        }
        catch (TimeoutException)
        {
            await app.DisposeAsync();
            throw new TimeoutException($"{Path.GetFileName(assembly)} did not listen within {s_startTimeout}:\n{app.Output}");
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return app;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        if (ListeningOn().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups["address"].Value.TrimEnd('/') + "/"));
        }
    }

    [GeneratedRegex(@"Now listening on: (?<address>http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();
}
