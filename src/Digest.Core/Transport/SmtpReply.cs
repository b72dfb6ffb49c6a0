using System.Text.RegularExpressions;

namespace Digest.Transport;

/// <summary>Where in the SMTP conversation a reply came: it changes whose problem a refusal is.</summary>
public enum SmtpStage
{
    /// <summary>Greeting, EHLO, STARTTLS, AUTH: the session itself.</summary>
    Session,
    /// <summary>MAIL FROM: our sender is refused, so everyone is.</summary>
    Sender,
    /// <summary>RCPT TO: this reader's address.</summary>
    Recipient,
    /// <summary>The reply to the end of DATA: this reader's message (Digest sends one recipient a message).</summary>
    Data,
}

/// <summary>
/// Whose problem a refusal is, from the enhanced status code (RFC 3463) when the server gives one and from the
/// reply code and text when it does not. Only a refusal of the <em>address</em> is a reader's hard bounce; a
/// refusal for policy, relaying, authentication, capacity or the system is the relay's, and must never
/// suppress anyone: a relay without its login answers every RCPT "554 5.7.1 Relay access denied".
/// </summary>
public static partial class SmtpReply
{
    public static DeliveryFailure Classify(SmtpStage stage, int code, string text)
    {
        // 421: the server is closing the session; 530/534/535/538: it wants (other) credentials.
        if (code == 421) return DeliveryFailure.RelayDown;
        if (code is 530 or 534 or 535 or 538) return DeliveryFailure.Fatal;
        var permanent = code >= 500;
        if (stage is SmtpStage.Session or SmtpStage.Sender) return permanent ? DeliveryFailure.Fatal : DeliveryFailure.RelayDown;

        if (Enhanced(text) is ({ } subject, { } detail) && subject != 0)
            return permanent ? Permanent(stage, subject, detail) : Temporary(subject);
        return permanent ? PermanentByText(stage, code, text) : TemporaryByCode(code);
    }

    /// <summary>True when the failure says nothing about the reader: it counts against the relay, never against them.</summary>
    public static bool IsRelayFailure(DeliveryFailure failure) => failure is DeliveryFailure.RelayDown or DeliveryFailure.Fatal;

    private static DeliveryFailure Permanent(SmtpStage stage, int subject, int detail) => (subject, detail) switch
    {
        // X.1.x addressing: no such user (5.1.1), bad domain (5.1.2), null MX (5.1.10)...
        (1, _) => DeliveryFailure.HardBounce,
        // X.2.x the mailbox: 5.2.1 disabled is for good; 5.2.2 full may clear, so try again later.
        (2, 0 or 1) => DeliveryFailure.HardBounce,
        (2, 2) => DeliveryFailure.Transient,
        (2, _) => DeliveryFailure.Refused,
        // The reply to DATA is about this one message (a content filter, a line too long): that reader's outcome.
        _ when stage == SmtpStage.Data => DeliveryFailure.Refused,
        (6, _) => DeliveryFailure.Refused,
        // X.3 system, X.4 network and routing, X.5 protocol, X.7 policy, relaying and authentication.
        _ => DeliveryFailure.Fatal,
    };

    private static DeliveryFailure Temporary(int subject) =>
        // 4.3.x system full, 4.4.x network, 4.5.3 too many recipients: the relay's trouble, not this reader's.
        subject is 3 or 4 or 5 ? DeliveryFailure.RelayDown : DeliveryFailure.Transient;

    /// <summary>
    /// Without an enhanced code the rule is conservative: a reader is hard-bounced only on 550, 551 or 553
    /// whose text says the address does not exist; any other 5xx to RCPT is the relay's problem, and any 5xx
    /// to DATA refuses that one message.
    /// </summary>
    private static DeliveryFailure PermanentByText(SmtpStage stage, int code, string text)
    {
        if (RelayWords().IsMatch(text)) return DeliveryFailure.Fatal;
        if (code is 550 or 551 or 553 && UnknownAddressWords().IsMatch(text)) return DeliveryFailure.HardBounce;
        return stage == SmtpStage.Data ? DeliveryFailure.Refused : DeliveryFailure.Fatal;
    }

    // 452 is "insufficient system storage" (RFC 5321), also sent for "too many recipients": the relay's.
    private static DeliveryFailure TemporaryByCode(int code) => code == 452 ? DeliveryFailure.RelayDown : DeliveryFailure.Transient;

    private static (int? Subject, int? Detail) Enhanced(string text)
    {
        var match = EnhancedCode().Match(text);
        return match.Success ? (int.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value)) : (null, null);
    }

    [GeneratedRegex(@"^\s*[245]\.(\d{1,3})\.(\d{1,3})(?!\S)")]
    private static partial Regex EnhancedCode();

    [GeneratedRegex(@"relay|denied|policy|authenticat|spam|block|blacklist|listed|reputation|rate|too many", RegexOptions.IgnoreCase)]
    private static partial Regex RelayWords();

    [GeneratedRegex(@"unknown|no such|not exist|doesn't exist|not found|invalid (recipient|mailbox|address)|mailbox unavailable|mailbox (is )?disabled|account (is )?disabled|no mailbox|unrouteable|undeliverable address", RegexOptions.IgnoreCase)]
    private static partial Regex UnknownAddressWords();
}
