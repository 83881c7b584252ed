using System.Net;
using Microsoft.Extensions.Primitives;
using OpenDesign.Workflows.Api.Hosting;
using OpenDesign.Workflows.Domain;

namespace OpenDesign.Workflows.Api.Security;

/// <summary>
/// Which <c>Host</c> names and which browser <c>Origin</c>s the service answers. Loopback without a credential is
/// admin, so a web page must not be able to borrow that: a foreign Host is a DNS-rebinding page that could read the
/// answers, and a foreign Origin is a page on another site sending requests in the user's name.
/// </summary>
public sealed class BrowserAccess
{
    private readonly List<StringSegment> _hostNames = ["localhost"];
    private readonly HashSet<IPAddress> _hostIps = [];
    private readonly List<Uri> _origins = [];
    private bool _anyIp;

    /// <summary>From the listen addresses, <c>Od:PublicBaseUrl</c>, <c>Od:AllowedHosts</c> and <c>Od:AllowedOrigins</c>.</summary>
    public static BrowserAccess From(IConfiguration configuration, OdOptions options)
    {
        var access = new BrowserAccess();
        foreach (var url in ListenAddresses.From(configuration)) access.AddListenAddress(url);
        // Executors (and a proxy in front of the service) reach it under its public name.
        if (Uri.TryCreate(options.PublicBaseUrl, UriKind.Absolute, out var publicBase)) access.AddOwn(publicBase);

        foreach (var host in List(configuration.GetSection("Od:AllowedHosts")))
        {
            if (host.Contains('/', StringComparison.Ordinal))
            {
                throw new StartupRefusedException($"Od:AllowedHosts holds '{host}', which is not a host name: give names without scheme or port (example.com, *.example.com).");
            }
            access.AddHost(host);
        }
        foreach (var origin in List(configuration.GetSection("Od:AllowedOrigins")))
        {
            access._origins.Add(ParseOrigin(origin)
                ?? throw new StartupRefusedException($"Od:AllowedOrigins holds '{origin}', which is not an origin: give scheme://host[:port], as a browser sends it."));
        }
        return access;
    }

    /// <summary>Whether the Host header names this service; a request without one (HTTP/1.0) comes from no browser.</summary>
    public bool IsHostAllowed(HostString host)
    {
        if (!host.HasValue) return true;
        var name = host.Host;
        // An IP literal cannot be rebound, but it must still be an address the service listens on.
        if (IPAddress.TryParse(name.Trim('[', ']'), out var ip)) return IPAddress.IsLoopback(ip) || _anyIp || _hostIps.Contains(ip);
        return HostString.MatchesAny(name, _hostNames);
    }

    /// <summary>Whether a request may carry this Origin: its own origin (same-origin), a listen address, or a configured origin.</summary>
    public bool IsOriginAllowed(string origin, HttpRequest request)
    {
        if (ParseOrigin(origin) is not { } uri) return false;
        return (ParseOrigin($"{request.Scheme}://{request.Host.Value}") is { } self && Same(uri, self)) || IsListed(uri);
    }

    /// <summary>Origins other than the request's own that are allowed, which a browser asks about in a CORS preflight.</summary>
    public bool IsListedOrigin(string origin) => ParseOrigin(origin) is { } uri && IsListed(uri);

    private bool IsListed(Uri origin) => _origins.Exists(o => Same(o, origin));

    private void AddListenAddress(string url)
    {
        // Kestrel's wildcards bind every interface; so does a host name other than localhost.
        if (url.Contains("://*", StringComparison.Ordinal) || url.Contains("://+", StringComparison.Ordinal) || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            _anyIp = true;
            return;
        }
        var isIp = IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip);
        if ((isIp && (ip!.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any))) || (!isIp && !uri.IsLoopback)) _anyIp = true;
        AddOwn(uri);
    }

    private void AddOwn(Uri uri)
    {
        AddHost(uri.Host);
        if (ParseOrigin(uri.GetLeftPart(UriPartial.Authority)) is { } origin) _origins.Add(origin);
    }

    private void AddHost(string host)
    {
        if (host == "*") _anyIp = true;
        if (IPAddress.TryParse(host.Trim('[', ']'), out var ip)) _hostIps.Add(ip);
        else _hostNames.Add(host);
    }

    private static Uri? ParseOrigin(string text)
    {
        // An origin is scheme://host[:port] and nothing else; "null" (a sandboxed or file page) is not one.
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.UserInfo.Length > 0
            || uri.PathAndQuery != "/" || uri.Fragment.Length > 0 || text.EndsWith('/'))
        {
            return null;
        }
        return uri;
    }

    private static bool Same(Uri a, Uri b) =>
        Uri.Compare(a, b, UriComponents.SchemeAndServer, UriFormat.UriEscaped, StringComparison.OrdinalIgnoreCase) == 0;

    /// <summary>A list setting given as "a;b" (or "a,b") in one value, or as an array (<c>Key:0</c>, <c>Key:1</c>).</summary>
    private static IEnumerable<string> List(IConfigurationSection section)
    {
        var values = section.GetChildren().Select(c => c.Value).Append(section.Value);
        return values.SelectMany(v => (v ?? "").Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
