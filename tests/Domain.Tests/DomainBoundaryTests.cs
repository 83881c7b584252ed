using System.Reflection;

namespace OpenDesign.Workflows.Domain.Tests;

/// <summary>The domain is the HTTP-free core: it compiles against no ASP.NET Core and no HTTP client.</summary>
public sealed class DomainBoundaryTests
{
    [Fact]
    public void The_domain_assembly_references_neither_ASP_NET_Core_nor_the_HTTP_client()
    {
        var references = typeof(DomainException).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.Contains("Microsoft.Data.Sqlite", references); // the check reads real references
        Assert.DoesNotContain(references, n => n.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.DoesNotContain("System.Net.Http", references);
        Assert.DoesNotContain("Microsoft.Extensions.Http", references);
    }
}
