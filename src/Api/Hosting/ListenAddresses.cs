using System.Net;

namespace OpenDesign.Workflows.Api.Hosting;

/// <summary>Which addresses the service is asked to listen on, and whether any of them reaches beyond this machine.</summary>
public static class ListenAddresses
{
    public const string Default = "http://127.0.0.1:7456";

    public static IEnumerable<string> From(IConfiguration configuration)
    {
        var urls = configuration["urls"];
        if (!string.IsNullOrWhiteSpace(urls))
        {
            foreach (var url in Split(urls)) yield return url;
        }
        else
        {
            // Without urls, ASP.NET binds http_ports and https_ports on every interface; only with neither is the default used.
            var ports = Split(configuration["http_ports"]).Select(p => $"http://*:{p}")
                .Concat(Split(configuration["https_ports"]).Select(p => $"https://*:{p}")).ToList();
            foreach (var url in ports.Count > 0 ? ports : [Default]) yield return url;
        }
        foreach (var endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
        {
            if (endpoint["Url"] is { Length: > 0 } url) yield return url;
        }
    }

    private static string[] Split(string? list) => (list ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static bool IsLoopback(string url)
    {
        // Kestrel's wildcards ("*", "+") do not parse as URIs; they bind every interface.
        var host = url.Contains("://*", StringComparison.Ordinal) || url.Contains("://+", StringComparison.Ordinal)
            ? "*"
            : Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Host : "*";
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
    }
}
