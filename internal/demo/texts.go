package demo

// Message texts (pt-BR), by service index where it matters.

var clientOpeners = [][]string{
	sSAC:          {"Boa tarde, preciso de ajuda", "Olá, bom dia!", "Oi, gostaria de uma informação", "Quero atualizar meu cadastro"},
	sFinanceiro:   {"Preciso da segunda via do boleto", "Minha fatura veio com valor errado", "Paguei e ainda consta em aberto", "Quero mudar a data de vencimento"},
	sCobranca:     {"Recebi uma cobrança, quero negociar", "Quero parcelar minha dívida", "Vocês me ligaram sobre um débito"},
	sSuporte:      {"Minha internet está caindo toda hora", "O aplicativo não abre", "Estou sem sinal desde ontem", "Não consigo acessar minha conta"},
	sVendas:       {"Quero conhecer os planos", "Vocês atendem no meu bairro?", "Tem promoção para cliente novo?"},
	sRetencao:     {"Quero cancelar meu plano", "Está muito caro, vou cancelar"},
	sOuvidoria:    {"Já abri três chamados e ninguém resolve", "Quero registrar uma reclamação formal"},
	sAgendamentos: {"Preciso agendar uma visita técnica", "Quero remarcar minha instalação"},
	sPosVenda:     {"Comprei ontem e ainda não chegou", "O produto veio com defeito"},
	sBackoffice:   {"Enviei os documentos, podem conferir?", "Qual o status da minha solicitação?"},
}

var emailBodies = []string{
	"Prezados, solicito a segunda via da fatura de setembro, pois não recebi pelo correio. Atenciosamente.",
	"Bom dia, gostaria de contestar a cobrança em duplicidade no meu cartão. Seguem os dados em anexo.",
	"Olá, envio em anexo os documentos solicitados para a conclusão do cadastro.",
	"Boa tarde, até agora não tive retorno sobre o protocolo aberto na semana passada. Aguardo posição.",
	"Prezados, peço o cancelamento do serviço adicional contratado sem minha autorização.",
}

var activeTemplates = []string{
	"Identificamos uma pendência no seu cadastro. Podemos falar agora?",
	"Temos uma condição especial para regularizar seu débito. Podemos conversar?",
	"Sua visita técnica está agendada. Podemos confirmar o horário?",
	"Seu pedido foi atualizado. Posso ajudar com mais alguma informação?",
}

var clientReplies = []string{"Oi, pode falar", "Sim, pode ser agora", "Olá! Do que se trata?", "Pode sim"}

var clientFollowUps = []string{
	"Meu CPF é o mesmo do cadastro", "Entendi", "E quanto tempo demora?", "Certo, e o que eu preciso fazer?",
	"Pode ser no boleto", "Já tentei isso e não funcionou", "Ok", "Obrigado pela explicação",
	"Qual o valor total?", "Pode enviar por aqui mesmo?", "Segue o número do pedido: 48213", "Ainda não recebi",
}

var agentReplies = [][]string{
	sSAC:          {"Localizei seu cadastro, vou verificar para você.", "Atualizei seus dados, está tudo certo.", "Essa informação está disponível no nosso portal também."},
	sFinanceiro:   {"Enviei a segunda via para o seu e-mail cadastrado.", "Identifiquei o pagamento, a baixa ocorre em até 3 dias úteis.", "Ajustei o valor e uma nova fatura será gerada."},
	sCobranca:     {"Consigo parcelar em até 6x sem juros.", "O acordo foi registrado, o boleto chega em instantes.", "Com o pagamento à vista há 30% de desconto."},
	sSuporte:      {"Fiz um reset remoto no seu equipamento, pode testar?", "Reinicie o modem e aguarde 2 minutos, por favor.", "Abri um chamado técnico para a sua região."},
	sVendas:       {"Temos o plano de 500 Mega por R$ 99,90.", "Seu endereço tem cobertura, sim!", "Posso seguir com a contratação?"},
	sRetencao:     {"Antes de cancelar, posso oferecer 3 meses com 50% de desconto.", "Entendo, vou registrar a solicitação de cancelamento."},
	sOuvidoria:    {"Sua manifestação foi registrada e terá resposta em até 5 dias úteis.", "Lamento pelo transtorno, vou acompanhar pessoalmente o caso."},
	sAgendamentos: {"Tenho horário disponível amanhã entre 8h e 12h.", "Sua visita foi reagendada com sucesso."},
	sPosVenda:     {"Seu pedido está em rota de entrega.", "Vou abrir a troca do produto sem custo."},
	sBackoffice:   {"Os documentos foram conferidos e aprovados.", "Sua solicitação está em análise, prazo de 48 horas."},
}

var clientClosings = []string{"Não, era só isso. Obrigado!", "Só isso mesmo, valeu!", "Não, obrigada!", "Tudo certo, obrigado pela ajuda"}

var comments = []string{
	"Cliente solicitou retorno amanhã pela manhã.",
	"Enviado boleto atualizado por e-mail.",
	"Cliente exaltado, tratado com cordialidade.",
	"Aguardando documentação do cliente.",
	"Caso escalado para o N2 com prioridade.",
	"Contato confirmou dados cadastrais.",
	"Oferecido desconto de retenção, cliente aceitou.",
}

var agentGeneric = []string{
	"Entendi, vou verificar para você.", "Certo! Só um momento enquanto consulto.", "Perfeito, já registrei aqui.",
	"Pode me confirmar o CPF do titular, por favor?", "Obrigado pelas informações.", "Vou te enviar o passo a passo por aqui.",
	"Já deixei tudo anotado no seu protocolo.", "Compreendo a situação e peço desculpas pelo transtorno.",
}
