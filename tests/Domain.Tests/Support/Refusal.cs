namespace OpenDesign.Workflows.Domain.Tests.Support;

/// <summary>Asserts the refusal a caller sees: the HTTP status, the stable code and, when given, the exact message.</summary>
public static class Refusal
{
    public static DomainException Expect(Action act, int status, string code, string? message = null)
    {
        var e = Assert.Throws<DomainException>(act);
        return Check(e, status, code, message);
    }

    public static async Task<DomainException> ExpectAsync(Func<Task> act, int status, string code, string? message = null)
    {
        var e = await Assert.ThrowsAsync<DomainException>(act);
        return Check(e, status, code, message);
    }

    private static DomainException Check(DomainException e, int status, string code, string? message)
    {
        Assert.Equal((status, code), (e.Status, e.Code));
        if (message is not null) Assert.Equal(message, e.Message);
        return e;
    }
}
