package demo

// Message texts (pt-BR). A conversation follows one topic: the client opens
// it (turns[0].client, or the e-mail), and every agent line answers the
// client line of its turn, so a thread reads as a conversation. Each line
// is unique across the topics (TestConversationsFollowOneTopic finds a
// message's topic and turn by its text).

// turn is a client message and the agent's answer to it.
type turn struct{ client, agent string }

// topic is one reason to write, by service (topics).
type topic struct {
	email string // the opening request written as an e-mail (E-mail and ReclameAqui)
	turns []turn
}

// activeTopic is a conversation the company starts (WhatsApp, SMS): the
// agent's template, then turns whose first client line answers it.
type activeTopic struct {
	template string
	turns    []turn
}

var topics = [][]topic{
	sSAC: {
		{"Bom dia, preciso atualizar o endereço do meu cadastro, pois me mudei no mês passado. Como faço? Atenciosamente.", []turn{
			{"Olá, preciso atualizar meu endereço no cadastro", "Claro! Pode me informar o novo endereço completo com CEP?"},
			{"Rua das Palmeiras, 120, apto 34, CEP 04512-010", "Endereço atualizado: Rua das Palmeiras, 120, apto 34, CEP 04512-010."},
			{"As próximas faturas já vão para o endereço novo?", "Sim, a partir da próxima fatura a correspondência segue para o novo endereço."},
			{"E preciso mandar algum comprovante?", "Não é necessário, a alteração já está confirmada no sistema."},
		}},
		{"Prezados, gostaria de saber o horário de atendimento das lojas físicas e se preciso agendar. Obrigado.", []turn{
			{"Oi, qual o horário de atendimento das lojas?", "Nossas lojas abrem de segunda a sábado, das 9h às 18h."},
			{"Preciso agendar antes de ir?", "Não precisa agendar, o atendimento na loja é por ordem de chegada."},
			{"Tem loja perto da Avenida Paulista?", "Temos uma loja na Rua Augusta, 1500, a cinco minutos da Avenida Paulista."},
			{"Funciona aos domingos?", "Aos domingos apenas a loja do Shopping Center Norte, das 14h às 20h."},
		}},
	},
	sFinanceiro: {
		{"Prezados, solicito a segunda via da fatura de setembro, pois não recebi pelo correio. Atenciosamente.", []turn{
			{"Preciso da segunda via da fatura de setembro", "Enviei a segunda via da fatura de setembro para o seu e-mail cadastrado."},
			{"Não chegou no e-mail, pode mandar por aqui?", "Segue o código de barras da fatura: 34191.79001 01043.510047 91020.150008 8 90450000015990."},
			{"Qual a data de vencimento dela?", "Essa fatura vence no dia 15; pagando até lá não há juros."},
			{"Posso pagar com Pix?", "Pode sim: o QR Code do Pix está no rodapé da segunda via."},
		}},
		{"Boa tarde, minha fatura deste mês veio com um valor maior que o contratado. Peço a revisão da cobrança.", []turn{
			{"Minha fatura veio com valor errado", "Verifiquei: foi cobrado um serviço adicional de R$ 19,90 que não consta no seu contrato."},
			{"Eu nunca contratei esse serviço", "Cancelei o serviço adicional e registrei o estorno dos R$ 19,90."},
			{"O estorno vem na próxima fatura?", "Sim, o crédito de R$ 19,90 aparece como desconto na próxima fatura."},
			{"Então não preciso pagar a diferença agora?", "Isso, pode pagar a fatura atual sem o valor contestado, já deixei registrado."},
		}},
	},
	sCobranca: {
		{"Prezados, recebi uma notificação de débito em atraso e gostaria de negociar. Aguardo as condições.", []turn{
			{"Recebi uma cobrança, quero negociar", "Localizei um débito de R$ 389,40 em atraso. Posso simular o parcelamento?"},
			{"Pode simular em quantas vezes?", "Consigo em até 6x sem juros de R$ 64,90, ou à vista com 30% de desconto."},
			{"Quero à vista com o desconto", "Acordo registrado: R$ 272,58 à vista. O boleto chega em instantes."},
			{"Até quando posso pagar?", "O boleto do acordo vence em 3 dias úteis."},
		}},
		{"Boa tarde, já paguei o acordo firmado, mas continuo recebendo cobranças. Peço que verifiquem.", []turn{
			{"Paguei o acordo e continuo recebendo cobrança", "Confirmei o pagamento do acordo no dia 05; as cobranças serão suspensas."},
			{"Meu nome ainda está negativado?", "A baixa da negativação é pedida hoje e sai em até 5 dias úteis."},
			{"Vocês mandam algum comprovante?", "Enviei a carta de quitação para o seu e-mail."},
			{"Posso parar de receber as ligações?", "Já retirei seu número da lista de cobrança."},
		}},
	},
	sSuporte: {
		{"Prezados, minha internet cai várias vezes ao dia desde segunda-feira. Solicito verificação técnica.", []turn{
			{"Minha internet está caindo toda hora", "Fiz um teste na sua linha e vi quedas no sinal. Vou reiniciar o equipamento remotamente."},
			{"Reiniciou aqui, as luzes ficaram piscando", "É normal por 2 minutos. Depois a luz PON deve ficar verde fixa."},
			{"Ficou verde agora", "Perfeito, o sinal normalizou. Pode testar a navegação?"},
			{"Está funcionando, e se cair de novo?", "Se cair de novo, abro uma visita técnica sem custo para trocar o equipamento."},
		}},
		{"Olá, não consigo acessar o aplicativo desde a última atualização. Aparece erro de senha.", []turn{
			{"O aplicativo não abre, diz que a senha está errada", "Vou enviar um link de redefinição de senha para o seu e-mail."},
			{"Recebi o link, mas diz que expirou", "Gerei um novo link, válido por 30 minutos."},
			{"Consegui trocar a senha", "Ótimo! Agora faça login com a nova senha no aplicativo."},
			{"Entrou, obrigado. Preciso atualizar o app?", "Sim, recomendo instalar a versão 5.2 na loja de aplicativos."},
		}},
	},
	sVendas: {
		{"Boa tarde, gostaria de conhecer os planos de internet disponíveis para o meu endereço.", []turn{
			{"Quero conhecer os planos de internet", "Temos 300 Mega por R$ 79,90 e 500 Mega por R$ 99,90. Qual o seu CEP?"},
			{"Meu CEP é 13025-320", "Seu endereço tem cobertura de fibra para os dois planos."},
			{"O de 500 Mega tem fidelidade?", "Tem fidelidade de 12 meses e a instalação é gratuita."},
			{"Quero contratar o de 500", "Contratação registrada! A instalação pode ser agendada em até 48 horas."},
		}},
		{"Olá, vi a promoção para novos clientes e gostaria de saber se ainda está válida.", []turn{
			{"Tem promoção para cliente novo?", "Sim! Novos clientes pagam R$ 59,90 nos 3 primeiros meses."},
			{"E depois dos 3 meses?", "Depois volta ao valor normal de R$ 99,90 por mês."},
			{"Posso levar o meu número de celular junto?", "Pode sim, a portabilidade é gratuita e leva até 3 dias úteis."},
			{"Quais documentos preciso?", "Só o CPF e um comprovante de endereço recente."},
		}},
	},
	sRetencao: {
		{"Prezados, solicito o cancelamento do meu plano a partir deste mês. Atenciosamente.", []turn{
			{"Quero cancelar meu plano", "Posso saber o motivo do cancelamento?"},
			{"Está muito caro para mim", "Consigo oferecer 3 meses com 50% de desconto para você continuar."},
			{"E depois volta ao preço normal?", "Depois passa para R$ 89,90, dez reais a menos que hoje."},
			{"Aceito a proposta", "Desconto aplicado! Seu plano segue ativo com o novo valor."},
		}},
		{"Boa tarde, vou me mudar para outra cidade e preciso cancelar o serviço.", []turn{
			{"Vou mudar de cidade e preciso cancelar", "Para qual cidade você vai? Talvez tenhamos cobertura lá."},
			{"Vou para Campinas", "Temos cobertura em Campinas: posso transferir o serviço sem custo."},
			{"Não perco o desconto que tenho?", "Não, o desconto atual continua valendo no novo endereço."},
			{"Então quero transferir", "Transferência de endereço registrada, sem multa de cancelamento."},
		}},
	},
	sOuvidoria: {
		{"Prezados, já abri três chamados sobre o mesmo problema e nenhum foi resolvido. Registro aqui minha reclamação formal.", []turn{
			{"Já abri três chamados e ninguém resolve", "Lamento pelo transtorno. Pode me passar o número de um dos chamados?"},
			{"O último foi o 2026-458812", "Localizei os três chamados e assumi o caso pessoalmente."},
			{"Quanto tempo vai demorar?", "Sua manifestação terá resposta definitiva em até 5 dias úteis."},
			{"Vou ter algum retorno antes disso?", "Sim, retorno por aqui até amanhã com a posição da área técnica."},
		}},
		{"Boa tarde, fui mal atendido na loja ontem e quero registrar uma reclamação formal.", []turn{
			{"Quero registrar uma reclamação formal", "Sua reclamação será registrada. Pode me contar o que aconteceu?"},
			{"O atendente da loja foi grosseiro comigo", "Sinto muito. Registrei o ocorrido e a loja será notificada."},
			{"Recebo algum número de protocolo?", "Sim, o protocolo da ouvidoria é OUV-77120."},
			{"Vou acompanhar por esse número", "Isso, pode consultar o andamento com esse protocolo."},
		}},
	},
	sAgendamentos: {
		{"Prezados, preciso agendar uma visita técnica para instalação. Tenho disponibilidade pela manhã.", []turn{
			{"Preciso agendar uma visita técnica", "Tenho horário amanhã entre 8h e 12h ou quinta entre 13h e 18h."},
			{"Amanhã de manhã é melhor", "Visita agendada para amanhã entre 8h e 12h."},
			{"O técnico liga antes de chegar?", "Sim, o técnico liga 30 minutos antes de chegar."},
			{"Precisa ter alguém maior de idade em casa?", "Precisa sim, um maior de idade deve acompanhar a visita."},
		}},
		{"Boa tarde, não poderei receber o técnico na data marcada e gostaria de remarcar a instalação.", []turn{
			{"Quero remarcar minha instalação", "Sem problemas. Qual dia fica melhor para você?"},
			{"Pode ser no sábado?", "No sábado tenho horário das 9h às 13h. Posso confirmar?"},
			{"Pode confirmar", "Instalação remarcada para sábado, das 9h às 13h."},
			{"A visita anterior foi cancelada?", "Sim, a visita anterior já foi cancelada no sistema."},
		}},
	},
	sPosVenda: {
		{"Prezados, comprei um roteador há cinco dias e ainda não recebi. Peço informações sobre a entrega.", []turn{
			{"Comprei e ainda não chegou", "Consultei seu pedido 48213: ele saiu para entrega hoje."},
			{"Chega ainda hoje?", "A transportadora prevê a entrega até as 18h de hoje."},
			{"E se eu não estiver em casa?", "A transportadora tenta mais duas vezes nos próximos dias úteis."},
			{"Tem código de rastreio?", "O código de rastreio é BR4821377SP."},
		}},
		{"Boa tarde, o produto que recebi veio com defeito e gostaria de fazer a troca.", []turn{
			{"O produto veio com defeito", "Sinto muito! Pode me descrever o defeito?"},
			{"O roteador não liga", "Abri a troca do produto sem custo para você."},
			{"Preciso levar em alguma loja?", "Não precisa: a coleta é feita no seu endereço."},
			{"Quando vem o novo?", "O novo aparelho é entregue junto com a coleta do defeituoso."},
		}},
	},
	sBackoffice: {
		{"Prezados, envio em anexo os documentos solicitados para a conclusão do cadastro.", []turn{
			{"Enviei os documentos, podem conferir?", "Recebi os documentos, vou conferir agora."},
			{"Estão todos certos?", "O comprovante de endereço está ilegível. Pode enviar outra foto?"},
			{"Enviei outra foto agora", "Agora está legível: documentos conferidos e aprovados."},
			{"O cadastro já está liberado?", "Sim, o cadastro está liberado para uso."},
		}},
		{"Boa tarde, gostaria de saber o status da solicitação de portabilidade que fiz na semana passada.", []turn{
			{"Qual o status da minha solicitação?", "Sua solicitação de portabilidade está em análise."},
			{"Quanto tempo ainda demora?", "O prazo é de 48 horas a partir da análise, que termina hoje."},
			{"Vou ficar sem linha durante a troca?", "A linha fica fora do ar por no máximo 2 horas na madrugada da troca."},
			{"Recebo aviso quando concluir?", "Sim, enviamos um SMS assim que a portabilidade for concluída."},
		}},
	},
}

var activeTopics = []activeTopic{
	sSAC: {"Identificamos uma pendência no seu cadastro. Podemos falar agora?", []turn{
		{"Oi, pode falar. Que pendência?", "Falta o seu e-mail no cadastro. Pode me informar?"},
		{"É o mesmo que uso no aplicativo", "Localizei o e-mail do aplicativo e atualizei seu cadastro."},
	}},
	sFinanceiro: {"Sua fatura deste mês já está disponível. Deseja recebê-la por aqui?", []turn{
		{"Sim, pode mandar", "Segue o link da fatura deste mês: https://fatura.exemplo/2026-10."},
		{"Posso pôr em débito automático?", "Pode sim: ativei o débito automático a partir da próxima fatura."},
	}},
	sCobranca: {"Temos uma condição especial para regularizar seu débito. Podemos conversar?", []turn{
		{"Pode falar, qual é a condição?", "O débito de R$ 512,30 sai à vista por R$ 307,38, com 40% de desconto."},
		{"Consigo parcelar?", "Sim, em até 5x de R$ 76,50 sem juros."},
	}},
	sSuporte: {"Identificamos uma instabilidade na sua região. Sua conexão está normal?", []turn{
		{"Está lenta desde ontem", "A manutenção na sua região termina hoje às 16h."},
		{"Vou ter desconto pelo tempo sem serviço?", "Sim, o desconto proporcional vem na próxima fatura."},
	}},
	sVendas: {"Temos uma oferta de upgrade de velocidade para você. Posso apresentar?", []turn{
		{"Pode, qual é a oferta?", "Você passa de 300 para 600 Mega por mais R$ 10,00 por mês."},
		{"Muda alguma coisa no contrato?", "Não muda a fidelidade: só a velocidade e o valor mensal."},
	}},
	sRetencao: {"Notamos que você pediu informações sobre cancelamento. Podemos ajudar?", []turn{
		{"Sim, estou pensando em cancelar", "Tenho uma proposta: 6 meses com 30% de desconto para você ficar."},
		{"Vou pensar e respondo depois", "Combinado, a proposta fica válida por 7 dias."},
	}},
	sOuvidoria: {"Estamos retornando sobre sua manifestação na ouvidoria. Podemos falar?", []turn{
		{"Sim, e então?", "A área técnica concluiu o reparo e seu caso foi encerrado."},
		{"E se acontecer de novo?", "Se voltar a acontecer, o atendimento é direto com a ouvidoria."},
	}},
	sAgendamentos: {"Sua visita técnica está agendada para amanhã. Podemos confirmar o horário?", []turn{
		{"Qual é o horário?", "O técnico chega entre 13h e 18h."},
		{"Pode ser de manhã?", "Mudei a visita para amanhã entre 8h e 12h."},
	}},
	sPosVenda: {"Seu pedido foi entregue. Está tudo certo com o produto?", []turn{
		{"Chegou, mas sem o cabo de força", "Vou enviar o cabo de força sem custo em até 2 dias úteis."},
		{"Preciso devolver alguma coisa?", "Não precisa devolver nada, o envio do cabo é uma reposição."},
	}},
	sBackoffice: {"Precisamos de uma foto do seu documento para concluir o cadastro. Pode enviar?", []turn{
		{"Posso mandar por aqui?", "Pode sim, envie a foto da frente e do verso por aqui."},
		{"Mandei as duas fotos", "Recebi e conferi: seu cadastro está concluído."},
	}},
}

// nudges are client messages that ask for no answer of their own (a client
// waiting in queue or on hold).
var nudges = struct{ queue, hold string }{"Alguém vai me atender?", "Ainda está aí?"}

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

var clientGreetings = []string{"Olá, bom dia!", "Oi, boa tarde", "Olá", "Oi, tudo bem?"}
