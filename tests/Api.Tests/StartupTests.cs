using System.Diagnostics;
using OpenDesign.Workflows.Api.Hosting;
using OpenDesign.Workflows.Api.Tests.Support;

namespace OpenDesign.Workflows.Api.Tests;

/// <summary>Start-up refusals, checked on the real executable as an operator would meet them.</summary>
public sealed class StartupTests : IDisposable
{
    private readonly TempDir _dir = new();

    [Theory]
    [InlineData("http://127.0.0.1:7456", true)]
    [InlineData("http://localhost:5000", true)]
    [InlineData("http://[::1]:5000", true)]
    [InlineData("http://0.0.0.0:5000", false)]
    [InlineData("http://*:5000", false)]
    [InlineData("http://+:5000", false)]
    [InlineData("http://192.168.1.10:5000", false)]
    [InlineData("http://example.com:5000", false)]
    public void Loopback_addresses_are_told_apart(string url, bool loopback) => Assert.Equal(loopback, ListenAddresses.IsLoopback(url));

    [Fact]
    public async Task Binding_beyond_loopback_without_an_api_token_refuses_to_start()
    {
        var (code, stderr) = await RunServiceAsync(new() { ["OD_DATA_DIR"] = _dir.Path }, "--urls", "http://0.0.0.0:0");
        Assert.Equal(1, code);
        Assert.Contains("OD_API_TOKEN is not set", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--Od:AllowedOrigins=ui.example:3000", "Od:AllowedOrigins holds 'ui.example:3000', which is not an origin")]
    [InlineData("--Od:AllowedOrigins=http://ui.example/app", "Od:AllowedOrigins holds 'http://ui.example/app', which is not an origin")]
    [InlineData("--Od:AllowedHosts=https://od.example.com", "Od:AllowedHosts holds 'https://od.example.com', which is not a host name")]
    public async Task A_malformed_origin_or_host_setting_refuses_to_start_and_names_it(string setting, string message)
    {
        var (code, stderr) = await RunServiceAsync(new() { ["OD_DATA_DIR"] = _dir.Path }, "--urls", "http://127.0.0.1:0", setting);
        Assert.Equal(1, code);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_ports_bind_every_interface_so_without_an_api_token_the_service_refuses_to_start()
    {
        var (code, stderr) = await RunServiceAsync(new() { ["OD_DATA_DIR"] = _dir.Path, ["ASPNETCORE_HTTP_PORTS"] = "0" });
        Assert.Equal(1, code);
        Assert.Contains("it is asked to listen on http://*:0, beyond loopback, but OD_API_TOKEN is not set", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unwritable_data_directory_refuses_to_start_and_names_it()
    {
        var file = Path.Combine(_dir.Path, "a-file");
        await File.WriteAllTextAsync(file, "");
        var dataDir = Path.Combine(file, "data");
        var (code, stderr) = await RunServiceAsync(new() { ["OD_DATA_DIR"] = dataDir }, "--urls", "http://127.0.0.1:0");
        Assert.Equal(1, code);
        Assert.Contains($"The data directory '{dataDir}' is not writable", stderr, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Stderr)> RunServiceAsync(Dictionary<string, string> env, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "OpenDesign.Workflows.Api.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        info.ArgumentList.Add(dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in env) info.Environment[k] = v;
        info.Environment.Remove("OD_API_TOKEN");
        using var process = Process.Start(info)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var stderr = process.StandardError.ReadToEndAsync(cts.Token);
        _ = process.StandardOutput.ReadToEndAsync(cts.Token);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        return (process.ExitCode, await stderr);
    }

    public void Dispose() => _dir.Dispose();
}
