using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace TraceMiddleware.InteropTests.Infrastructure;

/// <summary>
/// The real Spotlight sidecar (<c>@spotlightjs/spotlight</c> 4.11.8 from <c>tests/js</c>), started on a port
/// of its own choosing, and <c>spotlight tail</c> to read back what it parsed.
/// </summary>
/// <remarks>
/// What Spotlight 4.11.8 does, found by running it by hand and posting envelopes with curl:
/// <list type="bullet">
/// <item><c>spotlight server -p 0</c> picks a free port and prints <c>Spotlight listening on PORT</c>. It binds
/// every interface (there is no host option); we only ever talk to it on 127.0.0.1.</item>
/// <item>POST <c>/api/{id}/envelope/</c> (also <c>/stream</c>) answers 200 with an empty body to anything,
/// garbage included, so the status proves nothing; only <c>tail</c> shows what it understood.</item>
/// <item>It keeps a body only when <c>Content-Type</c> is <c>application/x-sentry-envelope</c>; without it
/// the POST still gets 200 and the envelope is silently skipped.</item>
/// <item>It decodes <c>Content-Encoding</c> gzip, deflate and br, and reads item headers with a <c>length</c>.</item>
/// <item><c>spotlight tail traces -f json -p PORT</c> attaches to the sidecar on PORT (found by GET
/// <c>/health</c> answering with <c>X-Powered-By: spotlight-by-sentry</c>; otherwise it starts its own),
/// replays what is buffered, prints one JSON line per transaction
/// (<c>{timestamp, type:"trace", event_id, trace_id, span_id, op, status, duration_ms, span_count,
/// transaction, environment, platform}</c>, taken from <c>contexts.trace</c>) and never exits by itself.</item>
/// <item>Spotlight reports its own telemetry to sentry.io with a built-in DSN and no switch to turn it off; its
/// @sentry/node transport honours <c>https_proxy</c>, so the processes started here get a proxy that refuses
/// connections and a test run sends nothing out.</item>
/// </list>
/// </remarks>
public sealed partial class SpotlightProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _server;
    private readonly ConcurrentQueue<string> _serverOutput;

    private SpotlightProcess(Process server, ConcurrentQueue<string> serverOutput, int port)
    {
        _server = server;
        _serverOutput = serverOutput;
        Port = port;
    }

    public int Port { get; }

    public static async Task<SpotlightProcess> StartAsync()
    {
        var output = new ConcurrentQueue<string>();
        var port = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = Launch(["server", "-p", "0"], line =>
        {
            output.Enqueue(line);
            if (ListeningLine().Match(line) is { Success: true } match)
            {
                port.TrySetResult(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        });
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => port.TrySetException(new InvalidOperationException("Spotlight exited before it listened:\n" + string.Join('\n', output)));

        try
        {
            return new SpotlightProcess(process, output, await port.Task.WaitAsync(StartTimeout));
        }
        catch
        {
            Stop(process);
            throw;
        }
    }

    /// <summary>Runs <c>spotlight tail traces -f json</c> against this sidecar until it prints the transaction of <paramref name="traceId"/>.</summary>
    public async Task<JsonElement> TailTraceAsync(string traceId, TimeSpan timeout) =>
        (await TailTraceAsync(traceId, seen => seen.Count > 0, timeout))[0];

    /// <summary>
    /// Runs <c>spotlight tail traces -f json</c> against this sidecar and collects the lines (one per
    /// transaction) of <paramref name="traceId"/> until <paramref name="complete"/> says they are all there.
    /// </summary>
    public async Task<IReadOnlyList<JsonElement>> TailTraceAsync(string traceId, Func<IReadOnlyList<JsonElement>, bool> complete, TimeSpan timeout)
    {
        var lines = new ConcurrentQueue<string>();
        var seen = new List<JsonElement>();
        var found = new TaskCompletionSource<IReadOnlyList<JsonElement>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var tail = Launch(["tail", "traces", "-f", "json", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture)], line =>
        {
            lines.Enqueue(line);
            if (!line.StartsWith('{'))
            {
                return;
            }

            try
            {
                var json = JsonDocument.Parse(line).RootElement.Clone();
                if (json.TryGetProperty("trace_id", out var id) && id.GetString() == traceId)
                {
                    lock (seen)
                    {
                        seen.Add(json);
                        if (complete(seen))
                        {
                            found.TrySetResult([.. seen]);
                        }
                    }
                }
            }
            catch (JsonException)
            {
            }
        });

        try
        {
            return await found.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException(
                $"spotlight tail did not print the expected transactions of trace {traceId} within {timeout}.\ntail:\n{string.Join('\n', lines)}\nserver:\n{string.Join('\n', _serverOutput)}");
        }
        finally
        {
            Stop(tail);
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop(_server);
        return ValueTask.CompletedTask;
    }

    private static Process Launch(string[] arguments, Action<string> onLine)
    {
        var js = FindJsFolder();
        var spotlight = Path.Combine(js, "node_modules", ".bin", "spotlight");
        if (!File.Exists(spotlight))
        {
            throw new InvalidOperationException(
                $"Spotlight is not installed ({spotlight} is missing): run `npm ci` in {js} (build/test.sh does it).");
        }

        var start = new ProcessStartInfo(spotlight)
        {
            WorkingDirectory = js,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Spotlight's own Sentry telemetry goes to a proxy that refuses it (see the remarks).
        start.Environment["https_proxy"] = "http://127.0.0.1:9";
        start.Environment.Remove("HTTPS_PROXY");
        start.Environment.Remove("no_proxy");
        start.Environment.Remove("NO_PROXY");

        // These would make Spotlight forward to another Spotlight or write every payload to files.
        start.Environment.Remove("SENTRY_SPOTLIGHT");
        start.Environment.Remove("SPOTLIGHT_CAPTURE");

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{spotlight} did not start.");
        }
        catch (Win32Exception exception)
        {
            throw new InvalidOperationException($"{spotlight} could not be started; Node.js 20+ must be on PATH.", exception);
        }

        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                onLine(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                onLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    // Only the processes started here, by their own handle, and their children (node under the .bin shim).
    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
        }
        finally
        {
            process.Dispose();
        }
    }

    private static string FindJsFolder()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var js = Path.Combine(directory.FullName, "tests", "js");
            if (File.Exists(Path.Combine(js, "package.json")))
            {
                return js;
            }
        }

        throw new InvalidOperationException($"No tests/js/package.json above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"Spotlight listening on (\d+)")]
    private static partial Regex ListeningLine();
}
