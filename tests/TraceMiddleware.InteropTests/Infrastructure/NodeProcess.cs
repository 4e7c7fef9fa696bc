using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace TraceMiddleware.InteropTests.Infrastructure;

/// <summary>
/// A node script from tests/js, started for one test and killed (with its children, such as Chromium)
/// when disposed. Scripts talk in JSON lines on stdout; stderr is kept for failure messages.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private const int MaxStderrLines = 400;

    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly string _name;

    private NodeProcess(Process process, string name)
    {
        _process = process;
        _name = name;
    }

    /// <summary>What the script wrote to stderr so far (the last lines).</summary>
    public string Stderr => string.Join('\n', _stderr);

    /// <summary>
    /// Starts <c>node [--import ./instrument.mjs] SCRIPT ARGS</c> in tests/js. Sentry settings of the
    /// environment this test process runs in are removed first, so that only <paramref name="environment"/> counts.
    /// </summary>
    public static NodeProcess Start(string script, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, bool instrument = true)
    {
        var start = new ProcessStartInfo(JsPeers.Node)
        {
            WorkingDirectory = JsPeers.ScriptsDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (instrument)
        {
            start.ArgumentList.Add("--import");
            start.ArgumentList.Add("./instrument.mjs");
        }

        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("SENTRY_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var node = new NodeProcess(process, script);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                node._lines.Writer.TryComplete();
            }
            else if (e.Data.Length > 0)
            {
                node._lines.Writer.TryWrite(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                node._stderr.Enqueue(e.Data);
                while (node._stderr.Count > MaxStderrLines && node._stderr.TryDequeue(out var dropped))
                {
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    /// <summary>Reads the next JSON line the script prints.</summary>
    public async Task<JsonElement> ReadMessageAsync(string what, TimeSpan? timeout = null)
    {
        var wait = timeout ?? Waits.Peer;
        using var cancellation = new CancellationTokenSource(wait);
        while (true)
        {
            string line;
            try
            {
                line = await _lines.Reader.ReadAsync(cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                throw Failure($"{_name} did not print {what} within {wait}");
            }
            catch (ChannelClosedException)
            {
                await WaitForExitQuietlyAsync();
                throw Failure($"{_name} exited (code {ExitCodeText()}) before it printed {what}");
            }

            var trimmed = line.TrimStart();
            if (trimmed.StartsWith('{'))
            {
                using var document = JsonDocument.Parse(trimmed);
                return document.RootElement.Clone();
            }

            // Anything else on stdout (an SDK's debug output, say) belongs with the diagnostics.
            _stderr.Enqueue("[stdout] " + line);
        }
    }

    /// <summary>Writes one command line to the script's stdin.</summary>
    public async Task SendAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Waits for the script to exit by itself and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        var wait = timeout ?? Waits.Peer;
        using var cancellation = new CancellationTokenSource(wait);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw Failure($"{_name} did not exit within {wait}");
        }

        return _process.ExitCode;
    }

    public Exception Failure(string message) => new InvalidOperationException($"{message}.\nnode stderr:\n{Stderr}");

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }

        await WaitForExitQuietlyAsync();
        _process.Dispose();
    }

    private async Task WaitForExitQuietlyAsync()
    {
        using var cancellation = new CancellationTokenSource(Waits.Exit);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private string ExitCodeText() => _process.HasExited ? _process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?";
}
