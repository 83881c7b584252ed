using System.Diagnostics;
using System.Reflection;

namespace OpenDesign.Workflows.Cli.Tests;

/// <summary>What a user sees after running od: its exit code and its two output streams.</summary>
public sealed record OdResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// Runs the real od (the od.dll built by the referenced project) as a separate process, with an environment
/// that contains none of the caller's OD_* variables, so each test states exactly what od can see.
/// Set <c>OD_CLI_TEST_EXECUTABLE</c> to a published native od to run the same tests against it.
/// </summary>
public static class OdProcess
{
    private static readonly string OdDll = typeof(OdProcess).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "OdDll").Value!;

    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private static readonly string? NativeOd = Environment.GetEnvironmentVariable("OD_CLI_TEST_EXECUTABLE") is { Length: > 0 } path ? path : null;

    public static async Task<OdResult> RunAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string? stdin = null)
    {
        Assert.True(File.Exists(NativeOd ?? OdDll), $"od not built at {NativeOd ?? OdDll}");
        var start = new ProcessStartInfo(NativeOd ?? DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (NativeOd is null)
        {
            start.ArgumentList.Add(OdDll);
        }
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("OD_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();

        using var timeout = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"od {string.Join(' ', args)} did not exit within {Limit}");
        }

        return new OdResult(process.ExitCode, await stdout, await stderr);
    }

    public static Task<OdResult> RunAsync(params string[] args) => RunAsync(args, null);

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}
