"""CRM sync both ways (HubSpot, Salesforce): the account book from the CRM, health and tasks back to it."""
