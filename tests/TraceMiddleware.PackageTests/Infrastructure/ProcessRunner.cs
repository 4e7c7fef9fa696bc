using System.Collections;
using System.Diagnostics;
using System.Text;

namespace TraceMiddleware.PackageTests.Infrastructure;

/// <summary>Runs a command to completion and returns what it printed; a failure or a timeout throws with that output.</summary>
public static class ProcessRunner
{
    public static string Run(string fileName, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        var start = CreateStartInfo(fileName, arguments, workingDirectory, environment);
        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var wait = timeout ?? TimeSpan.FromMinutes(5);
        if (!process.WaitForExit(wait))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new InvalidOperationException($"`{Describe(start)}` did not finish within {wait}:\n{Text(output)}");
        }

        // The parameterless wait also waits for the redirected streams to be read to their end.
        process.WaitForExit();
        return process.ExitCode == 0
            ? Text(output)
            : throw new InvalidOperationException($"`{Describe(start)}` in {workingDirectory} exited with {process.ExitCode}:\n{Text(output)}");
    }

    /// <summary>
    /// A start info whose environment is this process's with <paramref name="environment"/> applied on top; a null value
    /// removes the variable.
    /// </summary>
    public static ProcessStartInfo CreateStartInfo(string fileName, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string?>? environment)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        return start;
    }

    /// <summary>
    /// Settings for a dotnet command started from a test: the MSBuild settings a test host inherits from `dotnet test`
    /// removed (they belong to that build, not to the child's); no MSBuild node outlives the command; telemetry and
    /// first-run output off.
    /// </summary>
    public static Dictionary<string, string?> WithoutHostSettings()
    {
        var environment = new Dictionary<string, string?>();
        foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            if (((string)variable.Key).StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase))
            {
                environment[(string)variable.Key] = null;
            }
        }

        environment["MSBUILDDISABLENODEREUSE"] = "1";
        environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        environment["DOTNET_NOLOGO"] = "1";
        environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        return environment;
    }

    public static string Describe(ProcessStartInfo start) => $"{start.FileName} {string.Join(' ', start.ArgumentList)}";

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
